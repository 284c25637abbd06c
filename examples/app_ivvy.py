"""Application code on iVvy: log meetings, create and update tasks, handle errors.

A venue sales team books a site visit (a meeting activity) with a company and
follows up with a task; the task is then started. Requests are signed for you
(HMAC-SHA1, re-signed on every retry). Each kind of failure gets its reaction:

* ``ValidationError``: a rule iVvy documents is broken and nothing was sent
  (here: a record attached to both a company and a lead);
* ``NotFoundError``: the record, or a contact/company it points at, does not
  exist (iVvy's specific codes 24389..24400);
* ``AmbiguousWriteError``: the create was sent but the answer was lost; look
  the record up before creating it again (the sandbox drops one answer);
* ``ClockSkewError``: the machine's clock is more than 5 minutes off and iVvy
  refuses the request as stale; ``AuthenticationError``, ``TransportError`` and
  any other ``CRMError``: report and exit non-zero.

Run it against the built-in sandbox (no credentials)::

    python examples/app_ivvy.py

or against your account (``CRMCLIENTS_IVVY_API_KEY``, ``..._API_SECRET``,
``..._REGION``, or a profile)::

    python examples/app_ivvy.py --profile prod --company 850
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import crmclients
from crmclients import errors
from crmclients.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Priority,
    Ref,
    RefKind,
)
from crmclients.sandbox import Sandbox

VENDOR = "ivvy"


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


def log_meeting_once(
    client: crmclients.Client, subject: str, **fields: object
) -> Activity:
    """Create a meeting; after an ambiguous failure, reuse it if it landed."""
    try:
        return client.activities.create(
            kind=ActivityKind.MEETING, subject=subject, **fields
        )
    except errors.AmbiguousWriteError as exc:
        print(f"create outcome unknown ({type(exc).__name__}): looking it up")
        landed = [a for a in client.activities.list() if a.subject == subject]
        if landed:
            print(f"it had landed as {landed[0].id}: not creating it again")
            return landed[0]
        return client.activities.create(
            kind=ActivityKind.MEETING, subject=subject, **fields
        )


def run(client: crmclients.Client, sandbox: Sandbox | None, company: str) -> str:
    """The application's work; raises crmclients errors it does not handle."""
    print(f"iVvy says {client.native.ping().message!r}")
    if sandbox is not None:  # lose the answer to the next crm call: the create
        sandbox.inject_faults(
            script=["reset-after"], match=lambda method, path: path.endswith("/crm")
        )
    customer = Ref(RefKind.COMPANY, company)
    meeting = log_meeting_once(
        client,
        "Site visit: boat show hall",
        body="Walk the hall with the organisers; measure the stand area.",
        starts_at=datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
        ends_at=datetime(2025, 3, 4, 11, 30, tzinfo=UTC),
        location="Hall B",
        related=(customer,),
    )
    print(f"logged meeting {meeting.id} at {meeting.starts_at:%Y-%m-%d %H:%M} UTC")

    try:
        client.tasks.create(
            subject="Send the floor plan",
            due_at=datetime(2025, 3, 5, 17, 0, tzinfo=UTC),
            related=(customer, Ref(RefKind.LEAD, "2600")),
        )
    except errors.ValidationError as exc:  # nothing was sent
        print(f"refused before sending: {exc.field} {exc.rule.split('(')[0].strip()}")
    task = client.tasks.create(
        subject="Send the floor plan",
        due_at=datetime(2025, 3, 5, 17, 0, tzinfo=UTC),
        priority=Priority.HIGH,
        related=(customer,),
    )
    task = client.tasks.update(task.id, status=ActivityStatus.IN_PROGRESS)
    print(f"task {task.id}: {task.vendor_status}, due {task.due_at:%Y-%m-%d}")

    try:
        client.tasks.update("999999", subject="Nobody's task")
    except errors.NotFoundError as exc:
        print(f"not found: {exc.message}")
    return task.id


def main(argv: list[str] | None = None) -> int:
    """Run the example; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", help="use this profile instead of the sandbox")
    parser.add_argument("--company", default="850", help="company id to work with")
    args = parser.parse_args(argv)
    try:
        with open_client(args.profile) as (client, sandbox):
            task_id = run(client, sandbox, args.company)
    except errors.ClockSkewError as exc:
        print(f"clock skew: {exc}", file=sys.stderr)
        return 3
    except errors.AuthenticationError as exc:
        print(f"credentials refused: {exc}", file=sys.stderr)
        return 3
    except errors.TransportError as exc:
        print(f"cannot reach iVvy: {exc}", file=sys.stderr)
        return 1
    except errors.CRMError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1
    print(f"done: follow-up task {task_id} in progress")
    return 0


if __name__ == "__main__":
    sys.exit(main())
