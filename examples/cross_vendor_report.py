"""A cross-vendor report: activities from all five CRMs in one pandas DataFrame.

Starts the five sandboxes, pulls every activity from each through the same
shared model, and reports activities per vendor and kind, and per month. Because
every record has the same fields and aware UTC times, one DataFrame holds them
all.

Two vendors need a word:

* **Tactile** has no ``activities`` collection: its opportunities carry notes
  on their timelines. The report counts those notes as activities of kind
  ``note`` (title as subject), one ``client.notes.list(related_to=...)`` per
  opportunity.
* **CRM.COM** lists communications per contact, so the report asks once per
  contact; its sandbox puts every communication on the contacts of the vendor's
  examples, which are listed below.

Run it (needs the ``pandas`` extra)::

    python examples/cross_vendor_report.py
    python examples/cross_vendor_report.py --records 200 --csv activities.csv
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterable

import pandas as pd

import crmclients
from crmclients import errors
from crmclients.models import Activity, Note, Ref, RefKind
from crmclients.sandbox import Sandbox

warnings.filterwarnings("ignore", category=errors.VendorDeprecationWarning)

#: The CRM.COM contacts of the vendor's examples (the sandbox seeds them first).
CRMCOM_CONTACTS = (
    "460BB0DB7A4EB61D9D6E3DFEE8566C08",
    "2A3FD24CF1586E31D9DC7CAF43C38A96",
    "31260911295E70BB660EBEB0C4F941AC",
    "82E762747ABB3A87D5EB6DE58CC71F1E",
    "531C8308457947EFAFA91776AA4F4B4E",
    "3358197AD0334CE2834DB60933B2CE88",
)
COLUMNS = ["vendor", "id", "kind", "subject", "status", "created_at"]


def activity_rows(records: Iterable[Activity]) -> list[dict[str, object]]:
    """Shared activities (tasks and communications included) as report rows."""
    return [
        {
            "vendor": a.vendor,
            "id": a.id,
            "kind": a.kind.value,
            "subject": a.subject or (a.body or "")[:40],
            "status": a.status.value if a.status else None,
            "created_at": a.created_at,
        }
        for a in records
    ]


def note_rows(notes: Iterable[Note]) -> list[dict[str, object]]:
    """Tactile notes as report rows of kind ``note``."""
    return [
        {
            "vendor": n.vendor,
            "id": n.id,
            "kind": "note",
            "subject": n.title,
            "status": None,
            "created_at": n.created_at,
        }
        for n in notes
    ]


def pull(vendor: str, client: crmclients.Client) -> list[dict[str, object]]:
    """Every activity of one vendor, as rows."""
    if vendor == "tactile":
        rows = []
        for opportunity in client.opportunities.list(include_raw=False):
            related = Ref(RefKind.OPPORTUNITY, str(opportunity.id))
            rows += note_rows(client.notes.list(related_to=related, include_raw=False))
        return rows
    if vendor == "crmcom":
        rows = []
        for contact in CRMCOM_CONTACTS:
            related = Ref(RefKind.CONTACT, contact)
            rows += activity_rows(
                client.activities.list(related_to=related, include_raw=False)
            )
        return rows
    return activity_rows(client.activities.list(include_raw=False))


def build_report(records: int, seed: int) -> pd.DataFrame:
    """One DataFrame of the activities of the five sandboxes."""
    rows: list[dict[str, object]] = []
    for vendor in crmclients.vendor_names():
        options = {"contacts": len(CRMCOM_CONTACTS)} if vendor == "crmcom" else {}
        with (
            Sandbox(vendor, records=records, seed=seed, **options) as sandbox,
            crmclients.connect(vendor, **sandbox.settings) as client,
        ):
            pulled = pull(vendor, client)
        print(f"{vendor:<13} {len(pulled):>5} activities")
        rows += pulled
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def main(argv: list[str] | None = None) -> int:
    """Run the example; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=60, help="records per sandbox")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--csv", help="also write the activities to this CSV file")
    args = parser.parse_args(argv)
    try:
        frame = build_report(args.records, args.seed)
    except errors.CRMError as exc:
        print(f"report failed: {exc}", file=sys.stderr)
        return 1

    print("\nActivities per vendor and kind:")
    print(pd.crosstab(frame["kind"], frame["vendor"]).to_string())
    per_month = (
        frame.groupby([frame["created_at"].dt.strftime("%Y-%m"), "vendor"])
        .size()
        .unstack(fill_value=0)
    )
    print("\nActivities created per month (last six months with data):")
    print(per_month.tail(6).to_string())
    if args.csv:
        frame.to_csv(args.csv, index=False)
        print(f"\nwrote {args.csv}")
    print(f"\n{len(frame)} activities from {frame['vendor'].nunique()} vendors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
