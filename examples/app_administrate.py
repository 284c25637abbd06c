"""Application code on Administrate: create, update and delete CRM tasks, handle errors.

A training company's back office creates a task for a trainer booking, moves it
through the instance's own statuses, and deletes it once it is obsolete. Each kind
of failure gets its reaction:

* ``ValidationError``: a rule Administrate documents is broken and nothing was
  sent (here: clearing the assignee, which Administrate requires);
* ``NotSupportedError``: v2 tasks have no change time, so ``updated_after``
  cannot be applied; ask ``client.capabilities`` first;
* ``NotFoundError``: the task does not exist (any more);
* ``AmbiguousWriteError``: the create was sent but the answer was lost; look
  the task up before creating it again (the sandbox drops one answer);
* ``RateLimitError`` (6,000 requests per 5 minutes per IP, applied client-side
  too), ``AuthenticationError``, ``TransportError``: report and exit non-zero.

Administrate has announced the retirement of this legacy API; crmclients says so
once per process with a ``VendorDeprecationWarning``, silenced here on purpose.

Run it against the built-in sandbox (no credentials)::

    python examples/app_administrate.py

or against your instance (``CRMCLIENTS_ADMINISTRATE_SUBDOMAIN``, ``..._USERNAME``,
``..._PASSWORD``, ``..._TASK_TYPE_ID``, or a profile)::

    python examples/app_administrate.py --profile prod --account 1 --user 4
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Iterator
from datetime import datetime

import crmclients
from crmclients import errors
from crmclients.models import ActivityStatus, Ref, RefKind, Task
from crmclients.sandbox import Sandbox

VENDOR = "administrate"
warnings.filterwarnings("ignore", category=errors.VendorDeprecationWarning)


@contextlib.contextmanager
def open_client(
    profile: str | None,
) -> Iterator[tuple[crmclients.Client, Sandbox | None]]:
    """A client on your instance (``--profile``) or on a fresh sandbox."""
    if profile:
        with crmclients.connect(VENDOR, profile=profile) as client:
            yield client, None
        return
    with (
        Sandbox(VENDOR, records=20, seed=1) as sandbox,
        crmclients.connect(VENDOR, **sandbox.settings) as client,
    ):
        yield client, sandbox


def create_task_once(client: crmclients.Client, subject: str, **fields: object) -> Task:
    """Create a task; after an ambiguous failure, reuse it if it landed."""
    try:
        return client.tasks.create(subject=subject, **fields)
    except errors.AmbiguousWriteError as exc:
        print(f"create outcome unknown ({type(exc).__name__}): looking it up")
        landed = [t for t in client.tasks.list() if t.subject == subject]
        if landed:
            print(f"it had landed as {landed[0].id}: not creating it again")
            return landed[0]
        return client.tasks.create(subject=subject, **fields)


def run(
    client: crmclients.Client, sandbox: Sandbox | None, account: str, user: str
) -> str:
    """The application's work; raises crmclients errors it does not handle."""
    if sandbox is not None:  # lose the answer to the next POST (the create)
        sandbox.inject_faults(
            script=["reset-after"], match=lambda method, path: method == "POST"
        )
    task = create_task_once(
        client,
        "Book a trainer for the March course",
        body="Two days, London office.",
        status=ActivityStatus.NOT_STARTED,
        starts_at=datetime(2025, 3, 3, 9, 0),  # the instance's local time
        assignee=Ref(RefKind.USER, user),
        related=(Ref(RefKind.ACCOUNT, account),),
    )
    print(
        f"created task {task.id}: {task.vendor_status!r}, assigned to {task.assignee}"
    )

    task = client.tasks.update(task.id, status="Waiting on customer")
    print(
        f"now {task.vendor_status!r} (an instance status: shared status {task.status})"
    )
    try:
        client.tasks.update(task.id, assignee=None)
    except errors.ValidationError as exc:  # nothing was sent
        print(f"refused before sending: {exc.field} {exc.rule}")
    task = client.tasks.update(task.id, status=ActivityStatus.COMPLETED)
    print(f"completed: {task.vendor_status!r}")

    if client.capabilities.supports("tasks", "updated_after"):
        changed = client.tasks.list(updated_after="2025-01-01").to_list()
    else:
        print("no change time on Administrate tasks: filtering on created_after")
        changed = client.tasks.list(created_after="2025-01-01").to_list()
    print(f"{len(changed)} tasks created since 2025")

    client.tasks.delete(task.id)
    try:
        client.tasks.get(task.id)
    except errors.NotFoundError:
        print(f"deleted task {task.id}")
    return task.id


def main(argv: list[str] | None = None) -> int:
    """Run the example; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", help="use this profile instead of the sandbox")
    parser.add_argument("--account", default="1", help="account id of the task")
    parser.add_argument("--user", default="4", help="user id to assign it to")
    args = parser.parse_args(argv)
    try:
        with open_client(args.profile) as (client, sandbox):
            task_id = run(client, sandbox, args.account, args.user)
    except errors.RateLimitError as exc:
        print(
            f"rate limited, retry in {exc.retry_after or 'a while'} s", file=sys.stderr
        )
        return 1
    except errors.AuthenticationError as exc:
        print(f"credentials refused: {exc}", file=sys.stderr)
        return 3
    except errors.TransportError as exc:
        print(f"cannot reach Administrate: {exc}", file=sys.stderr)
        return 1
    except errors.CRMError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1
    print(f"done: task {task_id} created, updated, completed and deleted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
