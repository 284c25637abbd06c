"""iVvy wire hooks: the fast paths read payloads exactly as the general ones do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import pytest

from crmclients._converter import SHAPE_ERRORS, parse_datetime
from crmclients._types import EMPTY_RAW
from crmclients.vendors.ivvy._wire import structurer
from crmclients.vendors.ivvy.models import IvvyActivity, IvvyTask


def outcome(hook: Callable[[Any, Any], datetime], value: Any) -> object:
    """What a datetime hook gives for ``value``: the result, or the error and text."""
    try:
        return hook(value, datetime)
    except SHAPE_ERRORS as exc:
        return (type(exc), str(exc))


@pytest.mark.parametrize(
    "value",
    [
        "2024-04-02 18:58:33 UTC",  # iVvy's own form: the fast path
        "2024-04-02T18:58:33.250 UTC",
        "2024-04-02 18:58:33+01:00 UTC",
        "2024-04-02 18:58:33+00:00 UTC",
        "2024-13-02 18:58:33 UTC",
        "5 UTC",
        "2024-04-02 18:58:33  UTC",  # the rest goes to the shared hook
        " 2024-04-02 18:58:33 UTC",
        "2024-04-02 18:58:33UTC",
        "2024-04-02 18:58:33",
        "2024-04-02 18:58:33+01:00",
        "2024-04-02T18:58:33Z",
        "nonsense UTC",
        " UTC",
        "",
        datetime(2024, 4, 2, 18, 58, 33, tzinfo=UTC),
        1712084313,
    ],
)
def test_timestamps_read_as_parse_datetime_reads_them(value: Any) -> None:
    """iVvy's datetime hook (fast paths included) gives parse_datetime's result or
    error, value for value, and so does its generated structure function."""
    ivvy = structurer().converter().get_structure_hook(datetime)
    reference = outcome(lambda v, _: parse_datetime(v, UTC), value)

    assert outcome(ivvy, value) == reference
    if isinstance(reference, datetime):
        payload = {"id": 1, "startDatetime": value}
        assert structurer().structure(payload, IvvyActivity).start_datetime == reference


@pytest.mark.parametrize("keep_raw", [True, False])
@pytest.mark.parametrize("cls", [IvvyActivity, IvvyTask])
def test_raw_is_the_payload_received_whichever_path_reads_it(
    cls: type[IvvyActivity | IvvyTask], keep_raw: bool
) -> None:
    """Plain dicts, other mappings and the alternate spelling all keep the payload."""
    plain = {"id": 1, "startDatetime": "2019-04-02 22:00:00 UTC"}
    proxy = MappingProxyType(dict(plain))
    spelled = {"id": 1, "startDateTime": "2019-04-02 22:00:00 UTC"}
    wire = structurer()

    records = [
        wire.structure(payload, cls, keep_raw=keep_raw)
        for payload in (plain, proxy, spelled)
    ]

    assert {record.start_datetime for record in records} == {
        datetime(2019, 4, 2, 22, tzinfo=UTC)
    }
    if keep_raw:
        assert [record.raw for record in records] == [plain, proxy, spelled]
        assert all(
            record.raw is payload
            for record, payload in zip(records, (plain, proxy, spelled), strict=True)
        )
    else:
        assert all(record.raw is EMPTY_RAW for record in records)
