"""The legacy REST API retirement: announced once per process, filterable, documented."""

from __future__ import annotations

import warnings
from datetime import date

import pytest

import crmclients
from crmclients.errors import CRMWarning, VendorDeprecationWarning
from crmclients.vendors.administrate import AdministrateClient
from crmclients.vendors.administrate import client as client_module
from tests.vendors.administrate.conftest import PASSWORD, USERNAME


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget that the notice was already given (it is once per process)."""
    monkeypatch.setattr(client_module._RETIREMENT_ANNOUNCED, "done", False)


def make_client() -> AdministrateClient:
    """A client for subdomain 'acme' (creating one announces the retirement)."""
    return AdministrateClient(subdomain="acme", username=USERNAME, password=PASSWORD)


def make_two_clients() -> None:
    """Create two clients, as a program that connects twice does."""
    make_client()
    make_client()


@pytest.mark.usefixtures("fresh_process")
def test_the_retirement_is_announced_once_per_process() -> None:
    """Two clients, one VendorDeprecationWarning, pointing at the caller's line."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        with pytest.warns(VendorDeprecationWarning) as record:
            make_two_clients()

    notices = [w for w in record if issubclass(w.category, VendorDeprecationWarning)]
    assert len(notices) == 1
    text = str(notices[0].message)
    assert "legacy REST API" in text and "May 12, 2026" in text
    assert "keeps working against the documented contract" in text
    assert "filterwarnings" in text and "VendorDeprecationWarning" in text
    assert notices[0].filename == __file__  # the first frame outside crmclients


@pytest.mark.usefixtures("fresh_process")
def test_connect_announces_it_at_the_callers_line() -> None:
    """Through crmclients.connect the warning points at the connect() call, not inside."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        with pytest.warns(VendorDeprecationWarning) as record:
            crmclients.connect(
                "administrate", subdomain="acme", username=USERNAME, password=PASSWORD
            )

    [notice] = [w for w in record if issubclass(w.category, VendorDeprecationWarning)]
    assert notice.filename == __file__


@pytest.mark.usefixtures("fresh_process")
def test_the_warning_can_be_filtered_by_category() -> None:
    """The documented filter silences it; it is a CRMWarning and a DeprecationWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=VendorDeprecationWarning)
        make_client()

    assert caught == []
    assert issubclass(VendorDeprecationWarning, CRMWarning)
    assert issubclass(VendorDeprecationWarning, DeprecationWarning)


def test_the_notice_before_and_after_the_date() -> None:
    """Before May 12, 2026 it says "will be retired"; after, that the date has passed."""
    before = client_module.retirement_notice(date(2026, 5, 11))
    after = client_module.retirement_notice(date(2026, 5, 12))

    assert "will be retired on May 12, 2026" in before
    assert "has passed" in after and "404 or 410" in after
    assert all("documented contract" in text for text in (before, after))


@pytest.mark.usefixtures("fresh_process")
def test_announce_says_whether_it_warned() -> None:
    """The first call warns (worded for the given day); later calls do not."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        with pytest.warns(VendorDeprecationWarning, match="will be retired"):
            assert client_module.announce_retirement(today=date(2026, 1, 1)) is True
        with warnings.catch_warnings(record=True) as later:
            warnings.simplefilter("always")
            assert client_module.announce_retirement() is False

    assert later == []
