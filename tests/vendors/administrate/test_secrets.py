"""No password, Basic header or base64 credential reaches a log line, an error or a repr."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses

import crmclients
from crmclients import errors
from crmclients.sandbox import Sandbox
from crmclients.sandbox.administrate import PASSWORD, USERNAME
from crmclients.vendors.administrate import AdministrateClient
from tests.vendors.administrate.conftest import TASKS

WRONG = "wrong-but-secret-pw"


def secrets_of(password: str) -> list[str]:
    """The password and the forms HTTP Basic sends it in: none may ever show."""
    token = base64.b64encode(f"{USERNAME}:{password}".encode()).decode()
    return [password, token, f"Basic {token}"]


def collect(texts: list[str], call: Callable[[], Any]) -> None:
    """Run ``call``; keep the text of any crmclients error it raises."""
    try:
        call()
    except errors.CRMError as exc:
        texts.extend([str(exc), repr(exc), repr(exc.__dict__), str(exc.__cause__)])


def test_password_never_leaks_on_success_or_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """DEBUG logs of crmclients and urllib3, errors and reprs, across every path."""
    caplog.set_level(logging.DEBUG, logger="crmclients")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    texts: list[str] = []
    with Sandbox("administrate", records=40, seed=5) as sb:
        client = crmclients.connect(
            "administrate",
            retry=crmclients.RetryPolicy(attempts=7),
            rate_limit=None,
            **sb.settings,
        )
        native: AdministrateClient = client.native
        texts.append(repr(client) + repr(native) + repr(native._requestor.auth))
        texts.extend(repr(t) for t in client.tasks.list())
        first = next(iter(sb.emulator.tasks))  # type: ignore[attr-defined]
        created = native.create_task(
            status="Not Started", user_id=1, account_id=1, type_id=1
        )
        native.update_task(created.id, subject="changed", description=None)
        native.delete_task(created.id)
        sb.inject_faults(script=["500", "reset", "html", "truncated", "429", "503"])
        native.get_task(first)
        wrong = crmclients.connect(
            "administrate", base_url=sb.base_url, username=USERNAME, password=WRONG
        )
        for call in (
            lambda: wrong.tasks.get(str(first)),
            lambda: client.tasks.get("999999"),
            lambda: native.update_task(999999, subject="x"),
            lambda: native.delete_task(999999),
            lambda: native.create_task(
                status="Done", user_id=999, account_id=1, type_id=1
            ),
            lambda: native.list_tasks({"status__ne": "x"}),
            lambda: native._requestor.request(
                "GET", "/crm/tasks", params={"_page": 2}, operation="tasks.list"
            ),
            lambda: client.tasks.create(status="Completed"),
        ):
            collect(texts, call)
        sb.inject_faults(script=["reset-after"])
        collect(
            texts,
            lambda: native.create_task(
                status="Not Started", user_id=1, account_id=1, type_id=1
            ),
        )
    texts.append(caplog.text)

    everything = "\n".join(texts)
    assert "GET http://127.0.0.1" in caplog.text  # the requests were logged
    assert "urllib3" in {r.name.split(".")[0] for r in caplog.records}
    for secret in [*secrets_of(PASSWORD), *secrets_of(WRONG)]:
        assert secret not in everything


def test_a_server_echoing_credentials_is_scrubbed() -> None:
    """Even when the server repeats the password or the header, messages hide them."""
    password = "echo-pw-77aa91"
    token, header = secrets_of(password)[1:]
    client = AdministrateClient(
        subdomain="acme", username=USERNAME, password=password, rate_limit=None
    )
    with responses.RequestsMock() as mock:
        mock.get(
            f"{TASKS}/1",
            status=401,
            json={"message": f"bad login {USERNAME}:{password}", "detail": header},
        )
        mock.get(f"{TASKS}/2", body=requests.ConnectionError(f"refused, sent {header}"))
        with pytest.raises(errors.AuthenticationError) as auth:
            client.get_task(1)
        with pytest.raises(errors.TransportError) as transport:
            client.get_task(2)

    text = " ".join([str(auth.value), repr(auth.value.messages), str(transport.value)])
    assert password not in text and token not in text
    assert "[secure]" in text
