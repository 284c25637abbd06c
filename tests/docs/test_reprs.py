"""What Jupyter shows for records, pagers and clients: readable, no ``raw``, no secret.

Rendered through IPython's own display formatter, exactly as a notebook does
(``text/html`` where an object has ``_repr_html_``, ``text/plain`` always).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.formatters import DisplayFormatter

import crmclients
from crmclients.models import Ref, RefKind
from crmclients.testing import mock_vendor

#: Filters some collections need to list (CRM.COM lists per contact, Tactile notes
#: per opportunity).
LIST_FILTERS: dict[tuple[str, str], dict[str, Any]] = {
    ("crmcom", "activities"): {
        "related_to": Ref(RefKind.CONTACT, "460BB0DB7A4EB61D9D6E3DFEE8566C08")
    },
    ("crmcom", "communications"): {
        "related_to": Ref(RefKind.CONTACT, "460BB0DB7A4EB61D9D6E3DFEE8566C08")
    },
    ("tactile", "notes"): {"related_to": Ref(RefKind.OPPORTUNITY, "1001")},
}


def _shown(obj: Any) -> dict[str, str]:
    data, _ = DisplayFormatter().format(obj)
    return {mime: str(value) for mime, value in data.items()}


def _cases() -> Iterator[tuple[str, str]]:
    for vendor in crmclients.vendor_names():
        for collection in crmclients.capabilities(vendor).collections():
            yield vendor, collection


@pytest.mark.parametrize(("vendor", "collection"), list(_cases()))
def test_records_and_pagers_display_without_raw_or_secrets(
    vendor: str, collection: str
) -> None:
    """A record shows an HTML table and a short text repr; its pager a summary."""
    with (
        mock_vendor(vendor, records=5, seed=1) as mock,
        crmclients.connect(vendor, **mock.settings) as client,
    ):
        pager = getattr(client, collection).list(
            **LIST_FILTERS.get((vendor, collection), {})
        )
        record = pager.first()[0]
        shown = {
            "record": _shown(record),
            "pager": _shown(pager),
            "client": _shown(client),
            "native": _shown(client.native),
        }
        secrets = [v for k, v in mock.credentials.items() if len(v) > 6]

    assert record.raw, "the payload is kept on the record"
    assert shown["record"]["text/html"].startswith("<table><caption>")
    assert shown["pager"]["text/html"].startswith("<table><caption>Pager")
    text = repr(shown)
    assert "raw=" not in text and ">raw</th>" not in text
    assert [s for s in secrets if s in text] == []
