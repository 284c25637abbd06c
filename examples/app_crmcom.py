"""Application code on CRM.COM: draft, edit, complete and track a communication.

A billing system drafts a renewal email to a contact, edits it, completes it
(which sends it through CRM.COM), and records that the customer viewed it. The
login token is obtained, renewed and released for you. Each kind of failure gets
its reaction:

* ``ValidationError``: a rule CRM.COM documents is broken and nothing was sent
  (here: an email without a recipient);
* ``ConflictError``: the communication's state forbids it (only drafts can be
  edited); reload and decide;
* ``NotFoundError``: no communication has that id;
* ``AmbiguousWriteError``: the create was sent but the answer was lost; look
  the communication up before creating it again (the sandbox drops one answer);
* ``AuthenticationError``, ``TransportError`` and any other ``CRMError``: report
  and exit non-zero.

Run it against the built-in sandbox (no credentials)::

    python examples/app_crmcom.py

or against your server (``CRMCLIENTS_CRMCOM_BASE_URL``, ``..._USERNAME``,
``..._PASSWORD``, ``..._ORGANISATION``, or a profile)::

    python examples/app_crmcom.py --profile prod --contact <contact id>
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

import crmclients
from crmclients import errors
from crmclients.models import (
    ActivityStatus,
    Communication,
    Direction,
    Media,
    Ref,
    RefKind,
)
from crmclients.sandbox import Sandbox

VENDOR = "crmcom"
KATHY_CLARK = "460BB0DB7A4EB61D9D6E3DFEE8566C08"  # a contact of the vendor's examples


@contextlib.contextmanager
def open_client(
    profile: str | None,
) -> Iterator[tuple[crmclients.Client, Sandbox | None]]:
    """A client on your server (``--profile``) or on a fresh sandbox."""
    if profile:
        with crmclients.connect(VENDOR, profile=profile) as client:
            yield client, None
        return
    with (
        Sandbox(VENDOR, records=20, seed=1) as sandbox,
        crmclients.connect(VENDOR, **sandbox.settings) as client,
    ):
        yield client, sandbox


def draft_once(
    client: crmclients.Client, contact: Ref, subject: str, **fields: object
) -> Communication:
    """Create a draft; after an ambiguous failure, reuse it if it landed."""
    try:
        return client.communications.create(
            subject=subject, related=(contact,), **fields
        )
    except errors.AmbiguousWriteError as exc:
        print(f"create outcome unknown ({type(exc).__name__}): looking it up")
        mine = client.communications.list(related_to=contact)
        landed = [c for c in mine if c.subject == subject]
        if landed:
            print(f"it had landed as {landed[0].number}: not creating it again")
            return landed[0]
        return client.communications.create(
            subject=subject, related=(contact,), **fields
        )


def run(
    client: crmclients.Client, sandbox: Sandbox | None, contact_id: str
) -> Communication:
    """The application's work; raises crmclients errors it does not handle."""
    contact = Ref(RefKind.CONTACT, contact_id)
    if sandbox is not None:  # lose the answer to the create (not to the login)
        sandbox.inject_faults(
            script=["reset-after"],
            match=lambda method, path: path.endswith("/communications/create"),
        )
    email = {"media": Media.EMAIL, "direction": Direction.OUTGOING}
    try:
        client.communications.create(
            subject="Your renewal", body="...", related=(contact,), **email
        )
    except errors.ValidationError as exc:  # nothing was sent
        print(f"refused before sending: {exc.field} {exc.rule}")
    draft = draft_once(
        client,
        contact,
        "Your renewal",
        body="Dear customer, your subscription renews next month.",
        to="kathy.clark@example.com",
        status=ActivityStatus.DRAFT,
        category="Billing",
        **email,
    )
    print(f"drafted {draft.number} to {draft.to} ({draft.vendor_status})")

    draft = client.communications.update(draft.id, subject="Your renewal is due")
    sent = client.communications.complete(draft.id)
    print(f"completed {sent.number}: {sent.subject!r} is {sent.vendor_status}")
    try:
        client.communications.update(sent.id, subject="Too late")
    except errors.ConflictError as exc:
        print(f"conflict: {exc.message.split(' [')[0]}")

    viewed = client.communications.mark_viewed(sent.id)
    print(f"viewed at {viewed.viewed_at:%Y-%m-%d %H:%M} UTC")

    try:
        client.communications.get("00000000000000000000000000000000")
    except errors.NotFoundError:
        print("not found: no communication has that id")
    return viewed


def main(argv: list[str] | None = None) -> int:
    """Run the example; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", help="use this profile instead of the sandbox")
    parser.add_argument("--contact", default=KATHY_CLARK, help="contact id")
    args = parser.parse_args(argv)
    try:
        with open_client(args.profile) as (client, sandbox):
            result = run(client, sandbox, args.contact)
    except errors.AuthenticationError as exc:
        print(f"credentials refused: {exc}", file=sys.stderr)
        return 3
    except errors.TransportError as exc:
        print(f"cannot reach CRM.COM: {exc}", file=sys.stderr)
        return 1
    except errors.CRMError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1
    print(f"done: communication {result.number} sent and viewed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
