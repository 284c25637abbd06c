"""The Tactile CRM native client: every documented opportunities endpoint, 1:1.

Docs: http://www.tactilecrm.com/api/opportunities (see also VENDORS.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Unpack

from crmclients import errors
from crmclients._paging import Pager, Workers
from crmclients._redact import Redactor
from crmclients._requestor import (
    CommonOptions,
    NativeClient,
    build_requestor,
    resolve_timezone,
)
from crmclients._rules import NOT_SET, Rules, ascii_int
from crmclients.config import missing_setting
from crmclients.vendors.tactile import _wire
from crmclients.vendors.tactile._auth import ApiTokenAuth
from crmclients.vendors.tactile._errors import TactileEnvelope
from crmclients.vendors.tactile._paging import MAX_LIMIT, opportunities_paging
from crmclients.vendors.tactile.models import (
    OpportunityList,
    OpportunityOptions,
    TactileOpportunity,
    TimelineEntry,
)

__all__ = ["SAVE_FIELDS", "WRITES", "TactileClient"]

VENDOR = "tactile"
DEFAULT_TIMEZONE = "Europe/London"

#: Every field /opportunities/save documents (``id`` makes it an update).
SAVE_FIELDS = frozenset(
    {
        "id",
        "name",
        "description",
        "type_id",
        "person_id",
        "organisation_id",
        "assigned_to",
        "cost",
        "probability",
        "status_id",
        "source_id",
        "enddate",
        "date",
        "time",
        "later",
        "location",
        "end_date",
        "end_time",
    }
)
#: Every write this client sends, and whether replaying it is safe. The requestor
#: retries an ambiguous failure only for the idempotent ones; the others raise
#: AmbiguousWriteError (see docs/reliability.md).
WRITES: Mapping[str, bool] = {
    "opportunities.save (create)": False,  # a replay would create a second opportunity
    "opportunities.save (update)": True,  # same id, same fields: same result
    "opportunities.add_tag": True,  # adding an existing tag changes nothing
}
_ACCOUNT = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", re.IGNORECASE)
_STRTOTIME = [
    re.compile(
        r"^[+-]?\d+\s*(sec|second|min|minute|hour|day|week|fortnight|month|year)s?(\s+ago)?$",
        re.I,
    ),
    re.compile(r"^(now|today|yesterday|tomorrow|midnight|noon)$", re.I),
    re.compile(
        r"^(last|next|this)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|year)$",
        re.I,
    ),
]


class TactileClient(NativeClient):
    """Tactile CRM, endpoint by endpoint, with its own models.

    Args:
        api_token: Your API token (User Preferences page). Sent as ``api_token``
            in the query string of every request, as Tactile requires.
        account: Your site address: ``acme`` for ``https://acme.tactilecrm.com``.
            Not needed with ``base_url``.
        **options: ``base_url``, ``timeout``, ``retry``, ``rate_limit``,
            ``session``, ``timezone`` (default Europe/London, Tactile's zone for
            naive times), ``verify``, ``allow_http``.

    Raises:
        ConfigurationError: Missing token, or neither account nor base_url.
    """

    vendor = VENDOR

    def __init__(
        self,
        *,
        api_token: str,
        account: str | None = None,
        **options: Unpack[CommonOptions],
    ) -> None:
        if not api_token:
            raise missing_setting(VENDOR, "api_token")
        root = options.get("base_url")
        if not root:
            if not account:
                raise missing_setting(VENDOR, "account", alternatives=("base_url",))
            if not _ACCOUNT.match(account):
                raise errors.ConfigurationError(
                    f"account must be your Tactile site address (letters, digits, '-'), got {account!r}",
                    vendor=VENDOR,
                )
            root = f"https://{account}.tactilecrm.com"
        self.redactor = Redactor([api_token])
        self.timezone = resolve_timezone(
            options.get("timezone"), DEFAULT_TIMEZONE, vendor=VENDOR
        )
        self._wire = _wire.structurer(self.timezone)
        self._requestor = build_requestor(
            vendor=VENDOR,
            root_url=root,
            envelope=TactileEnvelope(),
            auth=ApiTokenAuth(api_token),
            redactor=self.redactor,
            credential_key=api_token,
            options=options,
        )
        self.base_url = self._requestor.base_url

    def __repr__(self) -> str:
        return f"TactileClient(base_url={self.base_url!r}, api_token=[secure])"

    # -- /opportunities --------------------------------------------------------------

    def list_opportunities(
        self,
        *,
        limit: int | None = None,
        page: int | None = None,
        created_before: datetime | date | str | None = None,
        created_after: datetime | date | str | None = None,
        updated_before: datetime | date | str | None = None,
        updated_after: datetime | date | str | None = None,
        include_raw: bool = True,
    ) -> OpportunityList:
        """One page of non-archived opportunities.

        :calls: ``GET /opportunities``

        Args:
            limit: Page size, 1..100 (Tactile's default is 30).
            page: Page number, from 1.
            created_before: A datetime (naive ones are read in the client's time
                zone), a date, or any PHP strtotime expression such as
                ``'-7 days'``; and so for the three below.
            created_after: Created after this time.
            updated_before: Last updated before this time.
            updated_after: Last updated after this time.
            include_raw: Keep each payload in ``raw``.

        Returns:
            The page, with ``cur_page``, ``num_pages``, ``per_page`` and ``total``.

        Raises:
            ValidationError: limit out of 1..100, page below 1, or a bad date.
        """
        meta, payloads = self._opportunities_page(
            limit=limit,
            page=page,
            created_before=created_before,
            created_after=created_after,
            updated_before=updated_before,
            updated_after=updated_after,
        )
        items = self._wire.structure_many(
            payloads,
            TactileOpportunity,
            path="$.opportunities",
            operation="opportunities.list",
            keep_raw=include_raw,
        )
        return OpportunityList(
            opportunities=items,
            cur_page=meta.cur_page,
            num_pages=meta.num_pages,
            per_page=meta.per_page,
            total=meta.total,
        )

    def _opportunities_page(
        self,
        *,
        limit: int | None = None,
        page: int | None = None,
        **filters: datetime | date | str | None,
    ) -> tuple[_wire.PageMeta, Any]:
        """One page: its paging fields and the opportunities' payloads (unstructured).

        Shared by :meth:`list_opportunities` (native models) and the adapter (which
        maps payloads straight to shared records). Strictly private.
        """
        rules = Rules(VENDOR, "opportunities.list")
        params: dict[str, Any] = {}
        if limit is not None:
            params["limit"] = rules.integer("limit", limit, minimum=1, maximum=100)
        if page is not None:
            params["page"] = rules.integer("page", page, minimum=1)
        for name in (
            "created_before",
            "created_after",
            "updated_before",
            "updated_after",
        ):
            value = filters.pop(name, None)
            if value is not None:
                params[name] = self._when(rules, name, value)
        rules.only_known(filters, (), "filter")
        body = self._requestor.request(
            "GET", "/opportunities", params=params, operation="opportunities.list"
        )
        meta = self._wire.structure(
            body, _wire.PageMeta, operation="opportunities.list"
        )
        return meta, body.get("opportunities")

    def iter_opportunities(
        self,
        *,
        page_size: int | None = MAX_LIMIT,
        workers: Workers = 1,
        include_raw: bool = True,
        **filters: Any,
    ) -> Pager[TactileOpportunity]:
        """Every non-archived opportunity, page after page (lazy).

        :calls: ``GET /opportunities`` (repeatedly)

        Args:
            page_size: ``limit`` per request (1..100).
            workers: Pages fetched in parallel (Tactile reports ``num_pages``).
            include_raw: Keep each payload in ``raw``.
            **filters: ``created_before``, ``created_after``, ``updated_before``,
                ``updated_after`` as in :meth:`list_opportunities`.
        """
        rules = Rules(VENDOR, "opportunities.list")
        rules.only_known(
            filters,
            ("created_before", "created_after", "updated_before", "updated_after"),
            "filter",
        )
        if page_size is not None:
            rules.integer("page_size", page_size, minimum=1, maximum=100)

        def fetch(
            number: int, size: int
        ) -> tuple[_wire.PageMeta, list[TactileOpportunity]]:
            result = self.list_opportunities(
                limit=size, page=number, include_raw=include_raw, **filters
            )
            return (
                _wire.PageMeta(
                    result.cur_page, result.num_pages, result.per_page, result.total
                ),
                result.opportunities,
            )

        return Pager(
            opportunities_paging(fetch),
            page_size=page_size,
            workers=workers,
            name="tactile.opportunities",
            vendor=VENDOR,
        )

    def get_opportunity(self, id: int | str) -> TactileOpportunity:
        """One opportunity (archived ones included).

        :calls: ``GET /opportunities/view/{id}``

        Raises:
            NotFoundError: No opportunity with this id.
        """
        oid = Rules(VENDOR, "opportunities.view").id("id", id)
        body = self._requestor.request(
            "GET", f"/opportunities/view/{oid}", operation="opportunities.view"
        )
        return self._wire.structure(
            body.get("opportunity"),
            TactileOpportunity,
            path="$.opportunity",
            operation="opportunities.view",
        )

    def get_timeline(
        self, id: int | str, *, include_raw: bool = True
    ) -> list[TimelineEntry]:
        """The notes and emails attached to an opportunity.

        :calls: ``GET /opportunities/timeline?id={id}``

        Args:
            id: The opportunity id.
            include_raw: Keep each payload in ``raw``.

        Raises:
            NotFoundError: No opportunity with this id.
        """
        oid = Rules(VENDOR, "opportunities.timeline").id("id", id)
        body = self._requestor.request(
            "GET",
            "/opportunities/timeline",
            params={"id": oid},
            operation="opportunities.timeline",
        )
        return self._wire.structure_many(
            body.get("timeline"),
            TimelineEntry,
            path="$.timeline",
            operation="opportunities.timeline",
            keep_raw=include_raw,
        )

    def save_opportunity(self, fields: Mapping[str, Any]) -> int:
        """Create (no ``id``) or update (with ``id``) an opportunity.

        :calls: ``POST /opportunities/save`` with ``{"Opportunity": {...}}``

        Args:
            fields: Documented save fields: name, description, type_id, person_id,
                organisation_id, assigned_to, cost, probability, status_id,
                source_id, enddate, date, time, later, location, end_date, end_time,
                and ``id`` for an update. A value of NOT_SET is left out.

        Returns:
            The id of the saved opportunity.

        Raises:
            ValidationError: An undocumented field or a broken rule (name and
                enddate are required on create; probability is a multiple of 5 in
                0..100; dates are YYYY-MM-DD; times HH:MM, only with a date...).
            RejectedError: Tactile refused the data.
            AmbiguousWriteError: A create's outcome is unknown (never retried).
        """
        rules = Rules(VENDOR, "opportunities.save")
        data = {k: v for k, v in fields.items() if v is not NOT_SET}
        body = _save_body(rules, data)
        updating = "id" in body
        answer = self._requestor.request(
            "POST",
            "/opportunities/save",
            json={"Opportunity": body},
            operation="opportunities.save",
            idempotent=WRITES[
                "opportunities.save (update)"
                if updating
                else "opportunities.save (create)"
            ],
        )
        return _saved_id(answer)

    def create_opportunity(
        self, *, name: str, enddate: date | str, **fields: Any
    ) -> int:
        """Create an opportunity; see :meth:`save_opportunity` for the fields.

        :calls: ``POST /opportunities/save``
        """
        if "id" in fields:
            Rules(VENDOR, "opportunities.save").fail(
                "id", "must not be given when creating"
            )
        return self.save_opportunity({"name": name, "enddate": enddate, **fields})

    def update_opportunity(self, id: int | str, **fields: Any) -> int:
        """Update an opportunity; only the fields given are sent.

        :calls: ``POST /opportunities/save`` with ``id``
        """
        return self.save_opportunity({"id": id, **fields})

    def get_options(self) -> OpportunityOptions:
        """Possible values of the enumerated fields (users, status, type, source).

        :calls: ``GET /opportunities/options``
        """
        body = self._requestor.request(
            "GET", "/opportunities/options", operation="opportunities.options"
        )
        return self._wire.structure(
            body.get("opportunity_options"),
            OpportunityOptions,
            path="$.opportunity_options",
            operation="opportunities.options",
        )

    def add_tag(self, id: int | str, tag: str) -> str:
        """Add a tag to an opportunity (adding it twice is harmless).

        :calls: ``GET /opportunities/add_tag?id={id}&tag={tag}``

        Returns:
            The tag as Tactile stored it.
        """
        rules = Rules(VENDOR, "opportunities.add_tag")
        oid = rules.id("id", id)
        name = rules.text("tag", tag, required=True)
        body = self._requestor.request(
            "GET",
            "/opportunities/add_tag",
            params={"id": oid, "tag": name},
            operation="opportunities.add_tag",
            idempotent=WRITES["opportunities.add_tag"],
        )
        result = body.get("tag", name)
        return result if isinstance(result, str) else str(name)

    # -- helpers -------------------------------------------------------------------------

    def _when(self, rules: Rules, name: str, value: Any) -> str:
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=self.timezone)
            return moment.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            text = value.strip()
            try:
                datetime.fromisoformat(text)
                return text
            except ValueError:
                if any(p.match(text) for p in _STRTOTIME):
                    return text
        rules.fail(
            name,
            "must be a datetime, a date, or a strtotime expression such as "
            "'2009-03-01', '2009-03-01 12:30:12', '-7 days' or 'last wednesday'",
        )


def _save_body(rules: Rules, data: Mapping[str, Any]) -> dict[str, Any]:
    rules.only_known(data, SAVE_FIELDS, "Opportunity")
    creating = data.get("id") is None  # "" is a malformed id, not "create"
    body: dict[str, Any] = {}
    if not creating:
        body["id"] = rules.id("id", data["id"])
    if creating or "name" in data:
        body["name"] = rules.text("name", data.get("name"), required=True)
    if creating or "enddate" in data:
        rules.required("enddate", data.get("enddate"))
        body["enddate"] = rules.day("enddate", data["enddate"])
    for key in ("description", "location"):
        if key in data:
            body[key] = rules.text(key, data[key])
    if "assigned_to" in data and data["assigned_to"] is not None:
        body["assigned_to"] = rules.text(
            "assigned_to", data["assigned_to"], required=True
        )
    for key in ("type_id", "person_id", "organisation_id", "status_id", "source_id"):
        if key in data:
            body[key] = None if data[key] is None else rules.id(key, data[key])
    if data.get("cost") is not None:
        body["cost"] = rules.number("cost", data["cost"])
    if data.get("probability") is not None:
        body["probability"] = rules.integer(
            "probability", data["probability"], minimum=0, maximum=100, multiple_of=5
        )
    has_date = data.get("date") is not None
    if has_date:
        body["date"] = rules.day("date", data["date"])
    for key in ("time", "end_time"):
        if data.get(key) is not None:
            if not has_date:
                rules.fail(key, "is only valid if a date is also supplied")
            body[key] = rules.hhmm(key, data[key])
    if data.get("end_date") is not None:
        body["end_date"] = rules.day("end_date", data["end_date"])
    if data.get("later") is not None:
        later = rules.boolean("later", data["later"])
        if later and has_date:
            rules.fail("later", "can only be true when no date is supplied")
        body["later"] = later
    return body


def _saved_id(answer: Mapping[str, Any]) -> int:
    """The id of a save answer: a positive integer, as a JSON number or ASCII digits.

    Raises:
        ResponseShapeError: Anything else (``'١٢'`` or a 5,000-digit string too).
    """
    value = answer.get("id")
    number = ascii_int(value) if isinstance(value, str) else value
    if isinstance(number, int) and not isinstance(number, bool) and number > 0:
        return number
    raise errors.ResponseShapeError(
        "the save answer has no integer id",
        path="$.id",
        snippet=repr(value)[:80],
        vendor=VENDOR,
        operation="opportunities.save",
    )
