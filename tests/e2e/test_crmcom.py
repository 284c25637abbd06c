"""CRM.COM end to end: real HTTP against the sandbox on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
from werkzeug.wrappers import Request

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
from crmclients.vendors.crmcom import CrmcomClient, Identifier

KATHY = "460BB0DB7A4EB61D9D6E3DFEE8566C08"
EXT_1 = Identifier.by_alternative_code("E1")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh CRM.COM sandbox (R13) with 120 communications."""
    with Sandbox("crmcom", records=120, seed=5) as sb:
        yield sb


def native(sb: Sandbox, **options: Any) -> CrmcomClient:
    """A native client of the sandbox."""
    return CrmcomClient(**{**sb.settings, **options})


def requests_to(sb: Sandbox, path: str) -> list[Any]:
    return [r for r in sb.emulator.requests if r.path == f"/crmapi/rest/v2/{path}"]


def expire_tokens_on(sb: Sandbox, path: str, nth: int, seconds: float = 7201) -> None:
    """Move the emulator clock by ``seconds`` when the ``nth`` request for ``path`` arrives."""
    seen = 0

    def hook(request: Request) -> None:
        nonlocal seen
        if request.path == f"/crmapi/rest/v2/{path}":
            seen += 1
            if seen == nth:
                sb.emulator.advance(seconds)

    sb.emulator.hooks.append(hook)


# -- communications lifecycle --------------------------------------------------------------------


def test_draft_update_complete_and_mark_viewed() -> None:
    """A draft is created, updated, completed and viewed; dates survive the EEST round trip."""
    with (
        Sandbox("crmcom", records=10, seed=2, server_timezone="Europe/Nicosia") as sb,
        crmclients.connect(
            "crmcom", timezone="Europe/Nicosia", **sb.settings
        ) as client,
    ):
        draft = client.communications.create(
            subject="Renewal",
            body="Dear #contact_information.first_name, your renewal is due.",
            media=Media.EMAIL,
            direction=Direction.OUTGOING,
            to="kathy.clark@example.com",
            status=ActivityStatus.DRAFT,
            category="Billing",
            related=(Ref(RefKind.CONTACT, KATHY),),
        )
        updated = client.communications.update(draft.id, subject="Renewal reminder")
        completed = client.communications.complete(draft.id)
        before = datetime.fromtimestamp(sb.emulator.now(), UTC).replace(microsecond=0)
        viewed = client.communications.mark_viewed(draft.id)
        fetched = client.communications.get(draft.id)

    assert isinstance(draft, Communication) and draft.id
    assert (draft.status, draft.vendor_status, draft.category) == (
        ActivityStatus.DRAFT,
        "DRAFT",
        "Billing",
    )
    assert draft.body == "Dear Kathy, your renewal is due."
    assert draft.related == (Ref(RefKind.CONTACT, KATHY, name="Clark Kathy"),)
    assert (updated.subject, updated.status) == (
        "Renewal reminder",
        ActivityStatus.DRAFT,
    )
    assert (completed.status, completed.viewed_at) == (ActivityStatus.COMPLETED, None)
    assert (
        viewed.viewed_at is not None
        and 0 <= (viewed.viewed_at - before).total_seconds() < 5
    )
    assert fetched == viewed
    assert (
        draft.created_at is not None
        and abs((draft.created_at - before).total_seconds()) < 5
    )


def test_lifecycle_rules_are_enforced_by_the_sandbox(sandbox: Sandbox) -> None:
    """Only drafts are updated or completed; only completed ones are set as viewed."""
    with crmclients.connect("crmcom", **sandbox.settings) as client:
        draft = client.communications.create(
            subject="s",
            body="b",
            media=Media.SMS,
            direction=Direction.OUTGOING,
            status=ActivityStatus.DRAFT,
            related=(Ref(RefKind.CONTACT, KATHY),),
        )
        with pytest.raises(errors.ConflictError, match="ONLYCOMPLETED"):
            client.communications.mark_viewed(draft.id)
        client.communications.complete(draft.id)
        with pytest.raises(
            errors.ConflictError, match="ONLYDRAFTCOMMUNICATIONSCANBEUPDATED"
        ):
            client.communications.update(draft.id, subject="late")
        with pytest.raises(
            errors.ConflictError, match="ONLYDRAFTCOMMUNICATIONSCANBECOMPLETED"
        ):
            client.communications.complete(draft.id)

    assert sandbox.emulator.communications[draft.id]["subject"] == "s"  # type: ignore[attr-defined]


def test_create_defaults_to_completed_and_server_rules_match_client_rules(
    sandbox: Sandbox,
) -> None:
    """Without life_cycle_state CRM.COM completes it; a template fills the content."""
    with native(sandbox) as client:
        plain = client.create_communication(
            contact_information_identifier=Identifier.by_number("CI000001"),
            direction="INCOMING",
            media="PHONE",
            subject="Call",
            content="Called about the bill",
        )
        templated = client.create_communication(
            contact_information_identifier=Identifier.by_id(KATHY),
            template_identifier=Identifier.by_name("Subscription Information"),
            to="kathy@example.com",
            referring_to={"subscription": Identifier.by_number("S60302")},
        )

    assert (plain.life_cycle_state, plain.media, plain.number) == (
        "COMPLETED",
        "PHONE",
        "CM000121",
    )
    assert templated.subject == " Information for subscription S60302"
    assert templated.content == "Dear Kathy, this is about your subscription S60302."
    assert templated.referring_to is not None
    assert templated.referring_to["subscription"]["number"] == "S60302"


def test_identifiers_travel_flattened_on_get_and_as_objects_on_post(
    sandbox: Sandbox,
) -> None:
    """The sandbox receives x_identifier=field=value in the query and objects in the body."""
    draft = next(
        r
        for r in sandbox.emulator.communications.values()  # type: ignore[attr-defined]
        if r["life_cycle_state"] == "DRAFT"
    )
    with native(sandbox) as client:
        client.list_communications(
            contact_information_identifier=Identifier.by_name("Clark Kathy"),
            number_of_results=1,
        )
        client.show_communication(
            Identifier.by_number(draft["number"]), fields_set=["id", "number"]
        )
        updated = client.update_communication(
            Identifier.by_number(draft["number"]), notes="seen"
        )

    [listing] = requests_to(sandbox, "communications/list")
    [show] = requests_to(sandbox, "communications/show")
    [update] = requests_to(sandbox, "communications/update")
    assert "contact_information_identifier=name=Clark%20Kathy" in listing.query
    assert (
        dict(parse_qsl(show.query))["communication_identifier"]
        == f"number={draft['number']}"
    )
    assert dict(parse_qsl(show.query))["fields_set"] == "id,number"
    assert "token" in dict(parse_qsl(show.query))
    sent = json.loads(update.body)
    assert sent["communication_identifier"] == {"number": draft["number"]}
    assert "token" in sent and "token=" not in update.query
    assert updated.notes == "seen"


def test_fields_set_limits_the_answer(sandbox: Sandbox) -> None:
    """Only the named fields come back (and parse)."""
    with native(sandbox) as client:
        [c] = client.list_communications(
            contact_information_identifier=Identifier.by_id(KATHY),
            number_of_results=1,
            fields_set=["number", "subject"],
        )

    assert (
        c.number
        and c.subject
        and c.id is None
        and c.raw.keys() == {"number", "subject"}
    )


# -- token lifecycle ----------------------------------------------------------------------------------


def test_a_token_expiring_mid_pull_is_renewed_and_every_record_comes_once() -> None:
    """1,000 records; the token dies on the 5th page; one new login, 1,000 unique records."""
    with Sandbox("crmcom", records=1000, contacts=1, seed=11) as sb:
        expire_tokens_on(sb, "communications/list", nth=5)
        with crmclients.connect("crmcom", **sb.settings) as client:
            pager = client.communications.list(
                related_to=Ref(RefKind.CONTACT, KATHY), page_size=100
            )
            records = pager.to_list()
            refreshes = client.native.stats.refreshes
            logins = client.native.logins

        assert len(records) == 1000
        assert len({r.id for r in records}) == 1000
        assert [r.number for r in records] == [f"CM{n:06d}" for n in range(1, 1001)]
        assert (logins, refreshes, sb.emulator.logins) == (
            2,
            1,
            ["password", "password"],
        )  # type: ignore[attr-defined]
        # 10 full pages + the empty one, plus the page sent again after the renewal
        assert len(requests_to(sb, "communications/list")) == 12
        assert len(sb.emulator.released) == 1  # type: ignore[attr-defined]


def test_before_r12_a_token_expires_after_an_idle_hour_and_is_renewed() -> None:
    """R11: an idle hour on the server clock invalidates the token; the client logs in again."""
    with (
        Sandbox("crmcom", records=20, seed=1, release="R11") as sb,
        native(sb, release="R11") as client,
    ):
        client.list_communications(
            contact_information_identifier=Identifier.by_id(KATHY)
        )
        sb.emulator.advance(1800)
        client.list_communications(
            contact_information_identifier=Identifier.by_id(KATHY)
        )
        assert client.logins == 1
        sb.emulator.advance(3601)
        records = client.list_communications(
            contact_information_identifier=Identifier.by_id(KATHY)
        )

        assert records and client.logins == 2
        assert not any("." in token for token in sb.emulator.tokens)  # type: ignore[attr-defined]


def test_web_api_key_login(sandbox: Sandbox) -> None:
    """Basic auth with the key as username and an empty password opens a session."""
    key = sandbox.emulator.web_api_key  # type: ignore[attr-defined]
    with crmclients.connect(
        "crmcom",
        base_url=sandbox.base_url,
        web_api_key=key,
        unit="48305F8849E3C18B227C5BE3A27BA6DF",
    ) as client:
        assert client.communications.list(related_to=Ref(RefKind.CONTACT, KATHY)).first(
            1
        )

    [login] = requests_to(sandbox, "authentication/web_api_key/token")
    assert (
        login.headers["Authorization"]
        == "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    )
    assert json.loads(login.body) == {"unit": "48305F8849E3C18B227C5BE3A27BA6DF"}


def test_close_releases_the_token(sandbox: Sandbox) -> None:
    """close() releases the session token: the server no longer accepts it."""
    client = native(sandbox)
    client.show_communication(Identifier.by_number("CM000001"))
    [token] = list(sandbox.emulator.tokens)  # type: ignore[attr-defined]

    client.close()
    client.close()

    assert sandbox.emulator.released == [token]  # type: ignore[attr-defined]
    assert sandbox.emulator.tokens == {}  # type: ignore[attr-defined]
    with native(
        sandbox, token=token, username=None, password=None, organisation=None
    ) as stale:
        with pytest.raises(errors.AuthenticationError, match="INVALIDTOKEN"):
            stale.show_communication(Identifier.by_number("CM000001"))


def test_close_does_not_raise_when_the_server_is_gone() -> None:
    """The release is best effort: a stopped server does not make close() fail."""
    sb = Sandbox("crmcom", records=5, seed=1).start()
    client = native(sb, retry=crmclients.RetryPolicy(attempts=1))
    client.show_communication(Identifier.by_number("CM000001"))
    sb.stop()

    client.close()

    assert sb.emulator.released == []  # type: ignore[attr-defined]


def test_wrong_credentials_and_no_secret_in_logs_or_errors(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """DEBUG logs (crmclients and urllib3) across login, renewal and errors hold no secret."""
    caplog.set_level(logging.DEBUG, logger="crmclients")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    password = sandbox.credentials["password"]
    key = sandbox.emulator.web_api_key  # type: ignore[attr-defined]
    texts: list[str] = []
    with native(sandbox, password="not-the-password-123") as wrong:
        with pytest.raises(errors.AuthenticationError) as denied:
            wrong.show_communication(Identifier.by_number("CM000001"))
        texts.append(str(denied.value))
    with native(sandbox) as client:
        client.show_communication(Identifier.by_number("CM000001"))
        sandbox.emulator.advance(7300)
        client.show_communication(
            Identifier.by_number("CM000002")
        )  # renewed after refusal
        with pytest.raises(errors.NotFoundError) as missing:
            client.show_communication(Identifier.by_number("NOPE"))
        texts.append(str(missing.value))
    with crmclients.connect(
        "crmcom", base_url=sandbox.base_url, web_api_key=key
    ) as keyed:
        keyed.communications.get(next(iter(sandbox.emulator.communications)))  # type: ignore[attr-defined]

    tokens = set()
    for seen in sandbox.emulator.requests:
        if seen.method == "GET":
            tokens.add(dict(parse_qsl(seen.query))["token"])
        elif "token" in json.loads(seen.body or b"{}"):
            tokens.add(json.loads(seen.body)["token"])
    assert len(tokens) == 3  # the expired session, its successor and the key session
    everything = caplog.text + "".join(texts)
    assert "urllib3" in caplog.text or "127.0.0.1" in caplog.text
    for secret in (
        password,
        "not-the-password-123",
        key,
        base64.b64encode(f"{key}:".encode()).decode(),
        *tokens,
    ):
        assert secret not in everything


# -- pre-R13 paging ------------------------------------------------------------------------------------


def test_before_r13_a_pull_is_one_request() -> None:
    """R12.2 has no number_of_results/offset: one list call returns the contact's records."""
    with Sandbox("crmcom", records=300, seed=4, release="R12.2", contacts=3) as sb:
        with crmclients.connect("crmcom", release="R12.2", **sb.settings) as client:
            records = client.activities.list(
                related_to=Ref(RefKind.CONTACT, KATHY), page_size=7
            ).to_list()

        [listing] = requests_to(sb, "communications/list")
        assert len(records) == 100 == len({r.id for r in records})
        assert (
            "number_of_results" not in listing.query and "offset" not in listing.query
        )


# -- the queue ----------------------------------------------------------------------------------------


def pending(client: CrmcomClient, count: int) -> list[str]:
    """Numbers of the latest pending entries of external system E1."""
    entries = client.get_latest_queue_entries(
        number=count, communication_queue_external_system_identifier=EXT_1
    )
    assert all(e.life_cycle_state == "PENDING" for e in entries)
    return [e.number or "" for e in entries]


def test_queue_entries_move_from_pending_to_completed_rejected_and_removed(
    sandbox: Sandbox,
) -> None:
    """process, reject and remove move PENDING entries; wrong moves are conflicts."""
    with native(sandbox) as client:
        for _ in range(3):
            client.create_communication(
                contact_information_identifier=Identifier.by_id(KATHY),
                direction="OUTGOING",
                media="SMS",
                subject="Code",
                content="Your code is 1234",
                to="+35799000000",
                communication_queue_external_system_identifier=EXT_1,
            )
        first, second, third = pending(client, 3)
        processed = client.process_queue_entry(Identifier.by_number(first))
        rejected = client.reject_queue_entry(
            Identifier.by_number(second),
            error_code="01",
            error_description="No SMS credit",
        )
        removed = client.remove_queue_entry(Identifier.by_number(third))
        removed_after_completion = client.remove_queue_entry(
            Identifier.by_number(first)
        )
        with pytest.raises(errors.ConflictError):
            client.process_queue_entry(Identifier.by_number(second))
        with pytest.raises(errors.ConflictError):
            client.remove_queue_entry(Identifier.by_number(second))
        with pytest.raises(errors.ConflictError):
            client.reject_queue_entry(
                Identifier.by_number(third), error_code="02", error_description="x"
            )
        shown = client.show_queue_entry(Identifier.by_number(second))
        listed = client.list_queue(
            communication_queue_external_system_identifier=EXT_1,
            life_cycle_state="REJECTED",
        )

    assert processed.life_cycle_state == "COMPLETED"
    assert (
        rejected.life_cycle_state,
        rejected.error_code,
        rejected.error_description,
    ) == (
        "REJECTED",
        "01",
        "No SMS credit",
    )
    assert removed.life_cycle_state == "COMPLETED_AND_REMOVED"
    assert removed_after_completion.life_cycle_state == "COMPLETED_AND_REMOVED"
    assert (shown.life_cycle_state, shown.error_code) == ("REJECTED", "01")
    assert second in [e.number for e in listed]
    assert all(e.life_cycle_state == "REJECTED" for e in listed)
    assert (
        processed.communication is not None
        and processed.communication.subject == "Code"
    )


def test_completing_a_draft_with_an_external_system_queues_it(sandbox: Sandbox) -> None:
    """A draft enters the queue only when it is completed."""
    with native(sandbox) as client:
        before = pending(client, 1000)
        draft = client.create_communication(
            contact_information_identifier=Identifier.by_id(KATHY),
            direction="OUTGOING",
            media="LETTER",
            subject="Letter",
            content="c",
            life_cycle_state="DRAFT",
            communication_queue_external_system_identifier=EXT_1,
        )
        assert pending(client, 1000) == before
        client.complete_communication(Identifier.by_id(draft.id or ""))
        after = client.get_latest_queue_entries(number=1, media="LETTER")

    assert after[0].communication is not None and after[0].communication.id == draft.id


def test_pending_completed_skips_viewed_communications(sandbox: Sandbox) -> None:
    """get_pending_completed lists PENDING/COMPLETED entries whose communication is unviewed."""
    with native(sandbox) as client:
        entries = client.get_pending_completed_queue_entries(media="EMAIL")
        target = entries[0]
        assert target.communication is not None
        client.set_communication_as_viewed(
            Identifier.by_id(target.communication.id or "")
        )
        later = client.get_pending_completed_queue_entries(media="EMAIL")
        page = client.get_pending_completed_queue_entries(
            media="EMAIL", number_of_results=2, offset=1
        )

    assert {e.life_cycle_state for e in entries} <= {"PENDING", "COMPLETED"}
    assert target.number not in [e.number for e in later]
    assert [e.number for e in page] == [e.number for e in later[1:3]]


def test_iter_queue_pages_through_every_entry(sandbox: Sandbox) -> None:
    """iter_queue with a small page size returns each entry of a media once."""
    with native(sandbox) as client:
        paged = [e.number for e in client.iter_queue(media="EMAIL", page_size=3)]
        whole = [e.number for e in client.list_queue(media="EMAIL")]

    assert paged == whole and len(whole) == len(set(whole)) > 3


# -- reliability ----------------------------------------------------------------------------------


def test_reads_survive_faults_and_creates_are_never_duplicated(
    sandbox: Sandbox,
) -> None:
    """Faulted reads succeed; a create reset after processing is ambiguous and sent once."""
    with native(sandbox, retry=crmclients.RetryPolicy(attempts=6)) as client:
        client.show_communication(Identifier.by_number("CM000001"))  # log in first
        sandbox.inject_faults(
            script=["500", "503-retry-after", "429", "reset", "truncated"]
        )
        assert (
            client.show_communication(Identifier.by_number("CM000002")).number
            == "CM000002"
        )
        sandbox.inject_faults(
            script=["reset-after"], match=lambda method, path: method == "POST"
        )
        before = len(sandbox.emulator.communications)  # type: ignore[attr-defined]
        with pytest.raises(errors.AmbiguousWriteError):
            client.create_communication(
                contact_information_identifier=Identifier.by_id(KATHY),
                direction="OUTGOING",
                media="SMS",
                subject="once",
                content="once",
            )

    assert len(requests_to(sandbox, "communications/create")) == 1
    assert len(sandbox.emulator.communications) == before + 1  # type: ignore[attr-defined]
