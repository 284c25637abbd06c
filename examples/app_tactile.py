"""Application code on Tactile CRM: create and update opportunities, handle errors.

What a web app or a back-office job does with crmclients: create an opportunity
without ever creating it twice, move it along the pipeline, tag it, read its
notes, and turn each kind of failure into the right reaction:

* ``ValidationError``: a rule Tactile documents is broken; nothing was sent, so
  fix the input (here: a probability that is not a multiple of 5);
* ``NotFoundError``: the id does not exist;
* ``NotSupportedError``: Tactile cannot do it (there is no delete); check
  ``client.capabilities`` first;
* ``AmbiguousWriteError``: the create was sent but the answer was lost; look the
  record up before trying again (the sandbox drops one answer on purpose);
* ``AuthenticationError``, ``TransportError`` and other ``CRMError``: report
  and exit non-zero.

Run it against the built-in sandbox (no credentials)::

    python examples/app_tactile.py

or against your account, with credentials from a profile or the environment::

    python examples/app_tactile.py --profile prod
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from datetime import date

import crmclients
from crmclients import errors
from crmclients.models import Opportunity, Ref, RefKind
from crmclients.sandbox import Sandbox

VENDOR = "tactile"


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


def create_once(client: crmclients.Client, name: str, **fields: object) -> Opportunity:
    """Create an opportunity; after an ambiguous failure, reuse it if it landed."""
    try:
        return client.opportunities.create(name=name, **fields)
    except errors.AmbiguousWriteError as exc:
        print(f"create outcome unknown ({type(exc).__name__}): looking it up")
        landed = [o for o in client.opportunities.list() if o.name == name]
        if landed:
            print(f"it had landed as {landed[0].id}: not creating it again")
            return landed[0]
        return client.opportunities.create(name=name, **fields)


def run(client: crmclients.Client, sandbox: Sandbox | None) -> Opportunity:
    """The application's work; raises crmclients errors it does not handle."""
    if sandbox is not None:  # lose the answer to the next create, to show the lookup
        sandbox.inject_faults(
            script=["reset-after"], match=lambda method, path: method == "POST"
        )
    deal = create_once(
        client,
        "Boat show stand",
        close_date=date(2025, 3, 31),
        value=12500,
        probability=20,
        status="New",
        organisation=Ref(RefKind.COMPANY, "9874", name="Evergreen Events"),
    )
    print(f"created {deal.id}: {deal.name!r}, {deal.value} at {deal.probability}%")

    try:
        client.opportunities.update(deal.id, probability=33)
    except errors.ValidationError as exc:  # nothing was sent
        print(f"refused before sending: {exc.field} {exc.rule}")
    deal = client.opportunities.update(
        deal.id, probability=75, status="Negotiation", tags=["boat-show"]
    )
    print(f"updated {deal.id}: {deal.probability}% ({deal.status}), tags {deal.tags}")

    try:
        client.opportunities.get("999999")
    except errors.NotFoundError as exc:
        print(f"not found: {exc.messages}")

    if client.capabilities.supports("opportunities", "delete"):
        client.opportunities.delete(deal.id)
    else:
        print("Tactile cannot delete opportunities: archiving is done in the web app")

    notes = client.notes.list(related_to=Ref(RefKind.OPPORTUNITY, "1001")).to_list()
    print(f"opportunity 1001 has {len(notes)} notes")
    return deal


def main(argv: list[str] | None = None) -> int:
    """Run the example; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", help="use this profile instead of the sandbox")
    args = parser.parse_args(argv)
    try:
        with open_client(args.profile) as (client, sandbox):
            deal = run(client, sandbox)
    except errors.AuthenticationError as exc:
        print(f"credentials refused: {exc}", file=sys.stderr)
        return 3
    except errors.TransportError as exc:
        print(f"cannot reach Tactile: {exc}", file=sys.stderr)
        return 1
    except errors.CRMError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1
    print(f"done: opportunity {deal.id} {deal.name!r} at {deal.probability}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
