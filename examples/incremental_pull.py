"""A scripted incremental pull to JSONL files, for any vendor (cron, CI, Airflow).

Each run writes the records changed since the previous run to a new file,
``<out>/<vendor>-<collection>-<run time>.jsonl``, and keeps its place in a state
file beside it. The data file is written atomically and the state only after
it, so an interrupted run changes nothing: the next one starts from the same
point, and nothing is lost or written twice.

What is pulled per vendor (``--vendor``, all five by default):

* ``tactile``: opportunities, by update time (Tactile filters on the server);
* ``ivvy``: activities, by update time (iVvy filters on the server);
* ``opentaps``: activities, by update time (applied by crmclients: Opentaps
  lists everything);
* ``administrate``: tasks, by creation time (v2 tasks have no update time);
* ``crmcom``: communications of each contact, by update time (CRM.COM lists
  communications per contact, so the state is kept per contact).

Against the sandbox (the default) the script makes two runs with a change in
between, to show that the second run writes only what changed::

    python examples/incremental_pull.py --vendor tactile --out pulls/

With ``--profile`` it makes one run against your account, as a scheduler would
call it (the exit code is non-zero on failure)::

    python examples/incremental_pull.py --vendor tactile --profile prod --out /data/crm
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import crmclients
from crmclients import errors, sync
from crmclients.models import ActivityStatus, Direction, Media, Ref, RefKind
from crmclients.sandbox import Sandbox

warnings.filterwarnings("ignore", category=errors.VendorDeprecationWarning)

#: CRM.COM contacts of the vendor's examples, which its sandbox seeds; against a
#: real server, pass your own with --contact.
CRMCOM_CONTACTS = (
    "460BB0DB7A4EB61D9D6E3DFEE8566C08",
    "2A3FD24CF1586E31D9DC7CAF43C38A96",
)


@dataclass
class Plan:
    """What to pull from a vendor, and how to make a change (sandbox runs)."""

    collection: str
    change: Callable[[crmclients.Client], str]
    per_contact: bool = False
    sandbox_options: dict[str, Any] = field(default_factory=dict)


def _touch_first(collection: str, **changes: Any) -> Callable[[crmclients.Client], str]:
    def change(client: crmclients.Client) -> str:
        first = getattr(client, collection).list().first()[0]
        getattr(client, collection).update(first.id, **changes)
        return f"updated {collection} {first.id}"

    return change


def _new_administrate_task(client: crmclients.Client) -> str:
    task = client.tasks.create(
        subject="Call the venue",
        status=ActivityStatus.NOT_STARTED,
        assignee=Ref(RefKind.USER, "4"),
        related=(Ref(RefKind.ACCOUNT, "1"),),
    )
    return f"created task {task.id}"


def _new_crmcom_draft(client: crmclients.Client) -> str:
    draft = client.communications.create(
        subject="Renewal reminder",
        body="Your subscription renews next month.",
        media=Media.SMS,
        direction=Direction.OUTGOING,
        status=ActivityStatus.DRAFT,
        related=(Ref(RefKind.CONTACT, CRMCOM_CONTACTS[0]),),
    )
    return f"created communication {draft.number}"


PLANS: dict[str, Plan] = {
    "tactile": Plan("opportunities", _touch_first("opportunities", probability=90)),
    "ivvy": Plan("activities", _touch_first("activities", subject="Rescheduled")),
    "opentaps": Plan("activities", _touch_first("activities", body="Follow-up done")),
    "administrate": Plan("tasks", _new_administrate_task),
    "crmcom": Plan(
        "communications",
        _new_crmcom_draft,
        per_contact=True,
        sandbox_options={"contacts": len(CRMCOM_CONTACTS)},
    ),
}


@contextlib.contextmanager
def open_client(vendor: str, profile: str | None) -> Iterator[crmclients.Client]:
    """A client on your account (``--profile``) or on a fresh sandbox."""
    if profile:
        with crmclients.connect(vendor, profile=profile) as client:
            yield client
        return
    options = PLANS[vendor].sandbox_options
    with (
        Sandbox(vendor, records=40, seed=1, **options) as sandbox,
        crmclients.connect(vendor, **sandbox.settings) as client,
    ):
        yield client


def pull_once(
    client: crmclients.Client, out: Path, contacts: tuple[str, ...], run: int
) -> int:
    """One run: every changed record to a new file; returns how many were written."""
    plan = PLANS[client.vendor]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    targets: list[tuple[str, dict[str, Any]]] = [("", {})]
    if plan.per_contact:
        targets = [
            (f"-{contact[:8]}", {"related_to": Ref(RefKind.CONTACT, contact)})
            for contact in contacts
        ]
    total = 0
    for suffix, filters in targets:
        name = f"{client.vendor}-{plan.collection}{suffix}"
        data = out / f"{name}-{stamp}-run{run}.jsonl"
        count = sync.pull_to_file(
            client,
            plan.collection,
            data,
            "jsonl",
            state_path=out / f"{name}.state.json",
            **filters,
        )
        print(f"  {data.name}: {count} records")
        total += count
    return total


def main(argv: list[str] | None = None) -> int:
    """Run the example; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=sorted(PLANS), action="append")
    parser.add_argument("--out", type=Path, default=Path("pulls"), help="folder")
    parser.add_argument("--profile", help="one run against your account")
    parser.add_argument("--contact", action="append", help="CRM.COM contact id")
    args = parser.parse_args(argv)
    contacts = tuple(args.contact or CRMCOM_CONTACTS)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        for vendor in args.vendor or sorted(PLANS):
            with open_client(vendor, args.profile) as client:
                print(f"{vendor}: run 1")
                first = pull_once(client, args.out, contacts, 1)
                if args.profile:
                    print(f"{vendor}: {first} records pulled")
                    continue
                print(f"{vendor}: {PLANS[vendor].change(client)}; run 2")
                second = pull_once(client, args.out, contacts, 2)
                print(f"{vendor}: {first} records, then {second} changed")
    except errors.CRMError as exc:
        print(f"pull failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
