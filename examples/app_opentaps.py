"""Application code on Opentaps CRM-2: create tasks, move them along, handle errors.

A task is created for a sales rep, started, linked to a contact in a role and
completed; a call is logged as an activity. Each kind of failure gets its own
reaction:

* ``ValidationError``: a rule is broken and nothing was sent (here: moving a
  started task back to "not started" breaks the task lifecycle; ON_HOLD has no
  Opentaps word);
* ``NotFoundError``: no task has that id;
* ``AmbiguousWriteError``: the create was sent but the answer was lost; look for
  the task before creating it again (the sandbox drops one answer on purpose);
* ``AuthenticationError`` (a permanent token refused even after a fresh temporary
  one), ``TransportError`` and any other ``CRMError``: report and exit non-zero.

Run it against the built-in sandbox (no credentials)::

    python examples/app_opentaps.py

or against your account (``CRMCLIENTS_OPENTAPS_AUTH_TOKEN`` and
``CRMCLIENTS_OPENTAPS_CLIENT_DOMAIN``, or a profile)::

    python examples/app_opentaps.py --profile prod --assignee <contact id>
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import crmclients
from crmclients import errors
from crmclients.models import ActivityKind, ActivityStatus, Ref, RefKind, Task
from crmclients.sandbox import Sandbox

VENDOR = "opentaps"
SANDBOX_REP = "5166b967e4b0f6e6cd09e651"  # a contact the sandbox seeds
SANDBOX_CUSTOMER = "5166b967e4b0f6e6cd09e65f"


@contextlib.contextmanager
def open_client(
    profile: str | None,
) -> Iterator[tuple[crmclients.Client, Sandbox | None]]:
    """A client on your account (``--profile``) or on a fresh sandbox."""
    if profile:
        with crmclients.connect(VENDOR, profile=profile) as client:
            yield client, None
        return
    with (
        Sandbox(VENDOR, records=20, seed=1) as sandbox,
        crmclients.connect(VENDOR, **sandbox.settings) as client,
    ):
        yield client, sandbox


def create_task_once(client: crmclients.Client, body: str, **fields: object) -> Task:
    """Create a task; after an ambiguous failure, reuse it if it landed."""
    try:
        return client.tasks.create(body=body, **fields)
    except errors.AmbiguousWriteError as exc:
        print(f"create outcome unknown ({type(exc).__name__}): looking it up")
        landed = [t for t in client.tasks.list() if t.body == body]
        if landed:
            print(f"it had landed as {landed[0].id}: not creating it again")
            return landed[0]
        return client.tasks.create(body=body, **fields)


def run(
    client: crmclients.Client, sandbox: Sandbox | None, rep: str, customer: str
) -> Task:
    """The application's work; raises crmclients errors it does not handle."""
    if sandbox is not None:  # lose the answer to the next task create
        sandbox.inject_faults(
            script=["reset-after"],
            match=lambda method, path: (method, path) == ("POST", "/task"),
        )
    task = create_task_once(
        client,
        "Call Evergreen Events about the boat show stand",
        due_at=datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
        assignee=Ref(RefKind.CONTACT, rep),
    )
    print(f"created task {task.id}: {task.vendor_status}, due {task.due_at:%Y-%m-%d}")

    task = client.tasks.transition(task.id, ActivityStatus.IN_PROGRESS)
    task = client.tasks.link(task.id, Ref(RefKind.CONTACT, customer, role="ATTENDEE"))
    print(f"started it and linked contact {customer} as {task.related[0].role}")

    for wrong in (ActivityStatus.NOT_STARTED, ActivityStatus.ON_HOLD):
        try:
            client.tasks.transition(task.id, wrong)
        except errors.ValidationError as exc:  # nothing was sent
            print(f"refused before sending: {exc.rule.split(':')[0]}")

    try:
        client.tasks.get("0123456789abcdef01234567")
    except errors.NotFoundError as exc:
        print(f"not found: {exc.message}")

    call = client.activities.create(
        kind=ActivityKind.CALL, body="Rang Evergreen Events about stand pricing"
    )
    print(f"logged call {call.id} ({call.kind.value})")

    task = client.tasks.transition(task.id, ActivityStatus.COMPLETED)
    return task


def main(argv: list[str] | None = None) -> int:
    """Run the example; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", help="use this profile instead of the sandbox")
    parser.add_argument("--assignee", default=SANDBOX_REP, help="contact id of the rep")
    parser.add_argument("--customer", default=SANDBOX_CUSTOMER, help="contact id")
    args = parser.parse_args(argv)
    try:
        with open_client(args.profile) as (client, sandbox):
            task = run(client, sandbox, args.assignee, args.customer)
    except errors.AuthenticationError as exc:
        print(f"credentials refused: {exc}", file=sys.stderr)
        return 3
    except errors.TransportError as exc:
        print(f"cannot reach Opentaps: {exc}", file=sys.stderr)
        return 1
    except errors.CRMError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1
    print(f"done: task {task.id} is {task.status.value if task.status else '?'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
