"""The CRM.COM native client: communications and the communication queue, 1:1.

Legacy Web API ``{server}/crmapi/rest/v2``: thirteen methods, the three logins and
token release. Docs: the CRM.COM V4 Web API pages for ``communications/*`` (see
``seeds/crmcom-communications.txt``) and VENDORS.md section 4.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar, Unpack
from urllib.parse import quote

from crmclients import errors
from crmclients._converter import require_mapping
from crmclients._paging import OffsetPaging, Pager, SinglePage, Workers
from crmclients._redact import Redactor
from crmclients._requestor import (
    CommonOptions,
    NativeClient,
    Requestor,
    build_requestor,
    resolve_timezone,
)
from crmclients._retry import RetryPolicy
from crmclients._rules import NOT_SET, Rules, shown
from crmclients.config import missing_setting
from crmclients.vendors.crmcom import _wire
from crmclients.vendors.crmcom._auth import (
    ABSOLUTE_LIFETIME,
    DEFAULT_MARGIN,
    IDLE_LIFETIME,
    Clock,
    TokenAuth,
    TokenPolicy,
)
from crmclients.vendors.crmcom._errors import CrmcomEnvelope
from crmclients.vendors.crmcom._paging import DEFAULT_PAGE_SIZE, list_paging
from crmclients.vendors.crmcom.models import (
    CommunicationQueueEntry,
    CrmcomCommunication,
    Identifier,
    Release,
    UnrestrictedChange,
    UnrestrictedValue,
)

__all__ = [
    "DIRECTIONS",
    "LIFE_CYCLE_STATES",
    "MEDIA",
    "QUEUE_STATES",
    "SINCE",
    "UDF_FIELDS",
    "WRITES",
    "CrmcomClient",
]

logger = logging.getLogger("crmclients")

VENDOR = "crmcom"
PREFIX = "/crmapi/rest/v2"
DEFAULT_RELEASE = "R13"
DEFAULT_TIMEZONE = "UTC"

MEDIA = ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")
DIRECTIONS = ("INCOMING", "OUTGOING")
LIFE_CYCLE_STATES = ("DRAFT", "COMPLETED")
QUEUE_STATES = ("PENDING", "REJECTED", "COMPLETED", "COMPLETED_AND_REMOVED")
UDF_FIELDS: Mapping[str, str] = {
    **{f"udf_string_{n}": "string" for n in range(1, 9)},
    **{f"udf_float_{n}": "float" for n in range(1, 5)},
    **{f"udf_date_{n}": "date" for n in range(1, 5)},
}

#: The first release with each method or parameter (communications: R4.0.0).
SINCE: Mapping[str, Release] = {
    "communications": Release(4),
    "contact_information_identifier (queue)": Release(5),
    "unrestricted_parameter_set": Release(9),
    "fields_set (writes)": Release(10),
    "authentication.web_api_key.token": Release(10),
    "communications.queue.get_pending_completed": Release(10, 1),
    "COMPLETED_AND_REMOVED": Release(10, 1),
    "communications.queue.remove": Release(11),
    "absolute token expiry": Release(12),
    "communications.set_as_viewed": Release(12, 2),
    "number_of_results/offset": Release(13),
}

#: Every write this client sends, and whether replaying it is safe. The requestor
#: retries an ambiguous failure only for the idempotent ones; the others raise
#: AmbiguousWriteError.
WRITES: Mapping[str, bool] = {
    # A replay would create a second communication.
    "communications.create": False,
    # By identifier, with the same fields: the same result (DESIGN.md).
    "communications.update": True,
    # DRAFT -> COMPLETED by identifier; a replay cannot complete anything else (it
    # is refused as not a draft, which shows the first attempt landed).
    "communications.complete": True,
    # Sets a flag by identifier; a replay without viewed_on only moves viewed_on by
    # the retry delay, and creates nothing.
    "communications.set_as_viewed": True,
    # Queue transitions to a fixed target state by identifier (PENDING ->
    # COMPLETED / REJECTED / COMPLETED_AND_REMOVED): a replay cannot move an entry
    # twice or touch another one; at worst it is refused as being in the wrong state.
    "communications.queue.process": True,
    "communications.queue.reject": True,
    "communications.queue.remove": True,
    # A second login only opens another session; releasing twice is harmless.
    "authentication.token": True,
    "authentication.web_api_key.token": True,
    "authentication.token.release": True,
}

#: An Identifier, or a mapping with exactly one field (``{"number": "CM000680"}``).
IdentifierLike = Identifier | Mapping[str, Any]


def _already_released(error: errors.CRMError) -> None:
    """A release replayed after a lost answer, refused as an invalid token: the
    lost attempt released it."""
    if isinstance(error, errors.AuthenticationError):
        return None
    raise error


#: The state each queue action moves an entry to.
_QUEUE_TARGETS = {
    "process": "COMPLETED",
    "reject": "REJECTED",
    "remove": "COMPLETED_AND_REMOVED",
}
T = TypeVar("T")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: What every CRM.COM id shown in the docs is made of: printable ASCII, no space.
_ID = re.compile(r"[!-~]{1,64}")
_R13 = SINCE["number_of_results/offset"]


class CrmcomClient(NativeClient):
    """CRM.COM communications and communication queue, method by method.

    Give one of: ``username`` + ``password`` + ``organisation`` (+ ``unit``), a
    ``web_api_key`` (+ ``unit``), or a ``token``. Nothing is sent until the first
    call; the token is then obtained, renewed ahead of expiry and once more when
    the server refuses it, and released by :meth:`close`.

    Args:
        username: For ``authentication/token`` (with ``password`` and
            ``organisation``).
        password: For ``authentication/token``.
        organisation: For ``authentication/token``.
        unit: Optional organisational unit id for either login.
        web_api_key: For ``authentication/web_api_key/token`` (HTTP Basic, the key
            as the username and an empty password). R10+.
        token: A token you obtained; used as is, never renewed or released.
        release: The server release: ``"R13"`` (default), ``"R12.2"``, ``"R12"``,
            ``"R10.1"``... Parameters and methods newer than it are refused
            before sending; before R13 lists come in one answer.
        clock: Monotonic seconds for token expiry (tests inject one).
        refresh_margin: Renew the token this many seconds before it expires.
        **options: ``base_url`` (required: your server), ``timeout``, ``retry``,
            ``rate_limit``, ``session``, ``timezone`` (for dates without a zone;
            default UTC), ``verify``, ``allow_http``.

    Raises:
        ConfigurationError: No base_url, no credentials or more than one kind,
            or a release that is not ``R<major>[.<minor>[.<patch>]]`` (R4+).
    """

    vendor = VENDOR

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        organisation: str | None = None,
        unit: str | None = None,
        web_api_key: str | None = None,
        token: str | None = None,
        release: str | Release = DEFAULT_RELEASE,
        clock: Clock | None = None,
        refresh_margin: float = DEFAULT_MARGIN,
        **options: Unpack[CommonOptions],
    ) -> None:
        root = options.get("base_url")
        if not root:
            raise missing_setting(VENDOR, "base_url")
        self.release = _release(release)
        flavours = [
            name
            for name, given in (
                ("username/password", bool(username or password)),
                ("web_api_key", bool(web_api_key)),
                ("token", bool(token)),
            )
            if given
        ]
        if not flavours:
            raise missing_setting(
                VENDOR, "username", alternatives=("web_api_key", "token")
            )
        if len(flavours) > 1:
            raise errors.ConfigurationError(
                f"give one way to sign in, not {' and '.join(flavours)}",
                vendor=VENDOR,
                hint="username+password+organisation, or web_api_key, or token",
            )
        if flavours[0] == "username/password":
            for name, value in (
                ("username", username),
                ("password", password),
                ("organisation", organisation),
            ):
                if not value:
                    raise missing_setting(VENDOR, name)
        key_since = SINCE["authentication.web_api_key.token"]
        if web_api_key and self.release < key_since:
            raise errors.ConfigurationError(
                f"Web API key logins exist from CRM.COM {key_since}; this client "
                f"targets {self.release}",
                vendor=VENDOR,
                hint="sign in with username, password and organisation",
            )
        self._username = username
        self._password = password
        self._organisation = organisation
        self._unit = unit
        self._web_api_key = web_api_key
        self.auth_flavour = {
            "username/password": "password",
            "web_api_key": "web_api_key",
            "token": "token",
        }[flavours[0]]
        basic = None
        if web_api_key:
            encoded = base64.b64encode(f"{web_api_key}:".encode()).decode()
            basic = f"Basic {encoded}"
            self.redactor = Redactor([web_api_key, encoded, basic])
        else:
            self.redactor = Redactor([password, token])
        self._basic = basic
        self.timezone = resolve_timezone(
            options.get("timezone"), DEFAULT_TIMEZONE, vendor=VENDOR
        )
        self._wire = _wire.structurer(self.timezone)
        if (
            self.auth_flavour == "password"
            and self.release < SINCE["absolute token expiry"]
        ):
            policy = TokenPolicy(
                lifetime=None, idle=IDLE_LIFETIME, margin=refresh_margin
            )
        else:
            policy = TokenPolicy(lifetime=ABSOLUTE_LIFETIME, margin=refresh_margin)
        self._auth = TokenAuth(
            login=None if token else self._login,
            token=token,
            policy=policy,
            clock=clock,
        )
        self._requestor = build_requestor(
            vendor=VENDOR,
            root_url=root,
            prefix=PREFIX,
            envelope=CrmcomEnvelope(),
            auth=self._auth,
            redactor=self.redactor,
            credential_key=web_api_key or token or f"{organisation}/{username}",
            options=options,
        )
        main = self._requestor
        # Logins and token release go through a requestor without the token auth
        # (same transport, rate limit and redaction).
        self._session_requestor = Requestor(
            vendor=VENDOR,
            base_url=main.base_url,
            transport=main.transport,
            envelope=main.envelope,
            auth=None,
            # One attempt: a failed login surfaces in the call that needed it, as
            # "not sent", and that call's own retries try again.
            retry=RetryPolicy.none(),
            limiter=main.limiter,
            redactor=self.redactor,
            timeout=main.timeout,
        )
        # Releasing is retried like any idempotent write (see release_token).
        self._release_requestor = Requestor(
            vendor=VENDOR,
            base_url=main.base_url,
            transport=main.transport,
            envelope=main.envelope,
            auth=None,
            retry=main.retry,
            limiter=main.limiter,
            redactor=self.redactor,
            timeout=main.timeout,
        )
        self.base_url = main.base_url

    def __repr__(self) -> str:
        secret = {"password": "password", "web_api_key": "web_api_key"}.get(
            self.auth_flavour, "token"
        )
        return (
            f"CrmcomClient(base_url={self.base_url!r}, release='{self.release}', "
            f"{secret}=[secure])"
        )

    @property
    def paged(self) -> bool:
        """Whether lists page with number_of_results/offset (R13+)."""
        return self.release >= _R13

    @property
    def logins(self) -> int:
        """How many tokens this client obtained so far."""
        return self._auth.logins

    # -- session ----------------------------------------------------------------------

    def close(self) -> None:
        """Release the session token (best effort, never raises) and the connections."""
        try:
            self.release_token()
        except errors.CRMError as exc:
            logger.debug(
                "crmcom: releasing the token failed (%s); it will expire on its own",
                type(exc).__name__,
            )
        finally:
            self._requestor.transport.close()

    def release_token(self) -> bool:
        """Invalidate the token this client obtained; the next call logs in again.

        :calls: ``POST /crmapi/rest/v2/authentication/token/release``

        Returns:
            True if a token was released; False if none was held or it was yours
            (a token given to the client is left alone).

        Raises:
            CRMError: The release failed (the token is forgotten anyway).
        """
        token = self._auth.take()
        if token is None:
            return False
        self._release_requestor.request(
            "POST",
            "/authentication/token/release",
            json={"token": token},
            operation="authentication.token.release",
            idempotent=WRITES["authentication.token.release"],
            replayed=_already_released,
        )
        return True

    def _login(self) -> str:
        """Obtain a new token (called by the auth, under its lock)."""
        if self._web_api_key:
            operation = "authentication.web_api_key.token"
            path = "/authentication/web_api_key/token"
            body: dict[str, Any] = {"unit": self._unit} if self._unit else {}
            headers = {"Authorization": self._basic or ""}
        else:
            operation = "authentication.token"
            body = {
                "username": self._username,
                "password": self._password,
                "organisation": self._organisation,
            }
            if self._unit:
                body["unit"] = self._unit
            path, headers = "/authentication/token", {}
        try:
            data = self._session_requestor.request(
                "POST",
                path,
                json=body,
                headers=headers,
                operation=operation,
                idempotent=WRITES[operation],
            )
        except errors.CRMError as exc:
            transient = isinstance(exc, errors.TransportError | errors.ServerError) or (
                isinstance(exc, errors.ResponseShapeError) and exc.transient
            )
            if not transient:
                raise
            # The call that needed the token never left: say so, so that it is
            # retried (and never reported as an ambiguous write).
            raise errors.TransportError(
                f"could not open a CRM.COM session ({exc.message})",
                request_sent=False,
                vendor=VENDOR,
                operation=operation,
            ) from exc
        answer = require_mapping(
            data, vendor=VENDOR, path="$.data", operation=operation
        )
        token = answer.get("token")
        if (
            not isinstance(token, str | int)
            or isinstance(token, bool)
            or not str(token)
        ):
            raise errors.ResponseShapeError(
                "the login answer has no token",
                path="$.data.token",
                snippet=type(token).__name__,
                vendor=VENDOR,
                operation=operation,
            )
        self.redactor.add(str(token))
        return str(token)

    # -- communications -----------------------------------------------------------------

    def show_communication(
        self,
        communication_identifier: IdentifierLike,
        *,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> CrmcomCommunication:
        """One communication.

        :calls: ``GET /crmapi/rest/v2/communications/show``

        Args:
            communication_identifier: Which one: ``Identifier.by_id(...)`` or
                ``Identifier.by_number("CM000680")`` (exactly one field).
            fields_set: Only these fields in the answer (all when None).
            include_raw: Keep the payload in ``raw``.

        Returns:
            The communication.

        Raises:
            ValidationError: A malformed identifier or fields_set; nothing was sent.
            NotFoundError: No such communication.
        """
        op = "communications.show"
        rules = Rules(VENDOR, op)
        pairs = [
            self._get_identifier(
                rules, "communication_identifier", communication_identifier
            )
        ]
        pairs += self._fields_pair(rules, fields_set)
        data = self._get("/communications/show", pairs, op)
        return self._one(data, CrmcomCommunication, op, include_raw)

    def list_communications(
        self,
        *,
        contact_information_identifier: IdentifierLike | None = None,
        category_identifier: IdentifierLike | None = None,
        direction: str | None = None,
        media: str | None = None,
        number_of_results: int | None = None,
        offset: int | None = None,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> list[CrmcomCommunication]:
        """Communications of a contact and/or a category (one page from R13).

        :calls: ``GET /crmapi/rest/v2/communications/list``

        Args:
            contact_information_identifier: The contact (semi-optional).
            category_identifier: The communication category (semi-optional); at
                least one of the two is required, both are allowed.
            direction: ``INCOMING`` or ``OUTGOING``.
            media: ``EMAIL``, ``SMS``, ``PHONE``, ``LETTER`` or ``FACE_TO_FACE``.
            number_of_results: Records per call (R13+).
            offset: Records to skip (R13+).
            fields_set: Only these fields in the answer.
            include_raw: Keep each payload in ``raw``.

        Returns:
            The communications.

        Raises:
            ValidationError: Neither identifier, a bad value, or number_of_results/
                offset on a release before R13; nothing was sent.
        """
        data = self._communications_page(
            contact_information_identifier=contact_information_identifier,
            category_identifier=category_identifier,
            direction=direction,
            media=media,
            number_of_results=number_of_results,
            offset=offset,
            fields_set=fields_set,
        )
        return self._many(data, CrmcomCommunication, "communications.list", include_raw)

    def _communications_page(
        self,
        *,
        contact_information_identifier: IdentifierLike | None = None,
        category_identifier: IdentifierLike | None = None,
        direction: str | None = None,
        media: str | None = None,
        number_of_results: int | None = None,
        offset: int | None = None,
        fields_set: Sequence[str] | None = None,
    ) -> Any:
        """One ``communications/list`` answer: the records' payloads (unstructured,
        a null list read as empty), at ``$.data``.

        Shared by :meth:`list_communications` (native models) and the adapter
        (which maps payloads straight to shared records): the checks, the request
        and its errors are the same code for both. Strictly private.
        """
        op = "communications.list"
        rules = Rules(VENDOR, op)
        pairs = self._communication_filters(
            rules, contact_information_identifier, category_identifier, direction, media
        )
        pairs += self._page_pairs(rules, number_of_results, offset)
        pairs += self._fields_pair(rules, fields_set)
        data = self._get("/communications/list", pairs, op)
        return [] if data is None else data  # an empty list may come back as null

    def iter_communications(
        self,
        *,
        contact_information_identifier: IdentifierLike | None = None,
        category_identifier: IdentifierLike | None = None,
        direction: str | None = None,
        media: str | None = None,
        fields_set: Sequence[str] | None = None,
        page_size: int | None = None,
        workers: Workers = 1,
        include_raw: bool = True,
    ) -> Pager[CrmcomCommunication]:
        """Every matching communication, page after page (lazy).

        From R13 pages of ``number_of_results`` (default 100) are read by
        ``offset`` until an empty one; before R13 one call returns everything.

        :calls: ``GET /crmapi/rest/v2/communications/list`` (repeatedly)

        Args:
            contact_information_identifier: As in :meth:`list_communications`.
            category_identifier: As in :meth:`list_communications`.
            direction: As in :meth:`list_communications`.
            media: As in :meth:`list_communications`.
            fields_set: As in :meth:`list_communications`.
            page_size: Records per call (R13+ only).
            workers: Accepted; pages are read in order (no total is reported).
            include_raw: Keep each payload in ``raw``.

        Returns:
            A pager; nothing is fetched until it is iterated.

        Raises:
            ValidationError: As in :meth:`list_communications`, or a page_size on a
                release before R13; nothing was sent.
        """
        spec, paged = self._communications_paging(
            self.list_communications,
            contact_information_identifier=contact_information_identifier,
            category_identifier=category_identifier,
            direction=direction,
            media=media,
            fields_set=fields_set,
            page_size=page_size,
            include_raw=include_raw,
        )
        return Pager(
            spec,
            page_size=(page_size or DEFAULT_PAGE_SIZE) if paged else None,
            workers=workers,
            name="crmcom.communications",
            vendor=VENDOR,
        )

    def _communications_paging(
        self,
        list_page: Callable[..., Sequence[Any]],
        *,
        contact_information_identifier: IdentifierLike | None = None,
        category_identifier: IdentifierLike | None = None,
        direction: str | None = None,
        media: str | None = None,
        fields_set: Sequence[str] | None = None,
        page_size: int | None = None,
        include_raw: bool = True,
    ) -> tuple[OffsetPaging | SinglePage, bool]:
        """The checks of a communications pull (nothing sent when one fails), then
        its paging spec over ``list_page`` and whether the release pages.

        ``list_page`` takes :meth:`list_communications`' arguments and returns one
        page of records: native models for :meth:`iter_communications`, shared
        records for the adapter. Strictly private.
        """
        rules = Rules(VENDOR, "communications.list")
        self._communication_filters(
            rules, contact_information_identifier, category_identifier, direction, media
        )
        self._fields_pair(rules, fields_set)
        paged = self._check_page_size(rules, page_size)
        filters = {
            "contact_information_identifier": contact_information_identifier,
            "category_identifier": category_identifier,
            "direction": direction,
            "media": media,
            "fields_set": fields_set,
        }
        spec = list_paging(list_page, filters, paged=paged, include_raw=include_raw)
        return spec, paged

    def create_communication(
        self,
        *,
        contact_information_identifier: IdentifierLike,
        template_identifier: IdentifierLike | None = None,
        category_identifier: IdentifierLike | None = None,
        communication_queue_external_system_identifier: IdentifierLike | None = None,
        direction: str | None = None,
        media: str | None = None,
        subject: str | None = None,
        content: str | None = None,
        to: str | None = None,
        notes: str | None = None,
        life_cycle_state: str | None = None,
        owned_by_group_identifier: IdentifierLike | None = None,
        privacy_level_identifier: IdentifierLike | None = None,
        referring_to: Mapping[str, IdentifierLike] | None = None,
        unrestricted_parameter_set: Sequence[UnrestrictedValue] | None = None,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
        **udf_fields: Any,
    ) -> CrmcomCommunication:
        """Create a communication (COMPLETED unless ``life_cycle_state="DRAFT"``).

        :calls: ``POST /crmapi/rest/v2/communications/create``

        Args:
            contact_information_identifier: Who it is with (mandatory).
            template_identifier: A template that sets direction, media, subject and
                content; without one those four are mandatory.
            category_identifier: The category.
            communication_queue_external_system_identifier: The external system
                that delivers it (it is then queued).
            owned_by_group_identifier: The owning group.
            privacy_level_identifier: The privacy level.
            direction: ``INCOMING`` or ``OUTGOING``.
            media: ``EMAIL``, ``SMS``, ``PHONE``, ``LETTER`` or ``FACE_TO_FACE``.
            subject: The subject.
            content: The text.
            notes: Notes.
            to: The recipient; mandatory when media is EMAIL.
            life_cycle_state: ``DRAFT`` or ``COMPLETED`` (the server's default).
            referring_to: Entity type -> identifier, e.g.
                ``{"subscription": Identifier.by_number("S60302")}``.
            unrestricted_parameter_set: Values for ``#unrestricted_<type>.<name>``
                placeholders (R9+).
            fields_set: Only these fields in the answer (R10+).
            include_raw: Keep the payload in ``raw``.
            **udf_fields: ``udf_string_1..8`` (text), ``udf_float_1..4`` (numbers),
                ``udf_date_1..4`` (datetimes or dates).

        Returns:
            The created communication (the fields in fields_set, if given).

        Raises:
            ValidationError: A documented rule is broken; nothing was sent.
            RejectedError, NotFoundError: CRM.COM refused the data.
            AmbiguousWriteError: The outcome is unknown (never retried blindly).
        """
        op = "communications.create"
        rules = Rules(VENDOR, op)
        body: dict[str, Any] = {
            "contact_information_identifier": self._post_identifier(
                rules, "contact_information_identifier", contact_information_identifier
            )
        }
        body.update(
            self._optional_identifiers(
                rules,
                template_identifier=template_identifier,
                category_identifier=category_identifier,
                communication_queue_external_system_identifier=communication_queue_external_system_identifier,
                owned_by_group_identifier=owned_by_group_identifier,
                privacy_level_identifier=privacy_level_identifier,
            )
        )
        templated = template_identifier is not None
        for name, value in (
            ("direction", direction),
            ("media", media),
            ("subject", subject),
            ("content", content),
        ):
            if value is None and not templated:
                rules.fail(name, "is required unless template_identifier is given")
        choices = {
            "direction": DIRECTIONS,
            "media": MEDIA,
            "life_cycle_state": LIFE_CYCLE_STATES,
        }
        for name, value in (
            ("direction", direction),
            ("media", media),
            ("life_cycle_state", life_cycle_state),
        ):
            if value is not None:
                body[name] = _choice(rules, name, value, choices[name])
        for name, value in (("subject", subject), ("content", content)):
            if value is not None:
                body[name] = rules.text(name, value, required=True)
        given_to: Any = to
        if body.get("media") == "EMAIL" and (
            given_to is None or (isinstance(given_to, str) and not given_to.strip())
        ):
            rules.fail("to", "is required when media is EMAIL")
        if to is not None:
            body["to"] = rules.text("to", to, required=True)
        if notes is not None:
            body["notes"] = rules.text("notes", notes)
        if referring_to is not None:
            body["referring_to"] = self._referring_to(rules, referring_to)
        if unrestricted_parameter_set is not None:
            self._gate(
                rules, "unrestricted_parameter_set", SINCE["unrestricted_parameter_set"]
            )
            body["unrestricted_parameter_set"] = [
                self._unrestricted_value(rules, value, action=None)
                for value in _sequence(
                    rules, "unrestricted_parameter_set", unrestricted_parameter_set
                )
            ]
        body.update(self._udf(rules, udf_fields, allow_null=False))
        fields = self._fields_value(rules, fields_set)
        if fields is not None:
            self._gate(rules, "fields_set", SINCE["fields_set (writes)"])
            body["fields_set"] = fields
        data = self._post("/communications/create", body, op)
        return self._one(data, CrmcomCommunication, op, include_raw)

    def update_communication(
        self,
        communication_identifier: IdentifierLike,
        *,
        template_identifier: Any = NOT_SET,
        category_identifier: Any = NOT_SET,
        communication_queue_external_system_identifier: Any = NOT_SET,
        direction: Any = NOT_SET,
        media: Any = NOT_SET,
        subject: Any = NOT_SET,
        content: Any = NOT_SET,
        to: Any = NOT_SET,
        notes: Any = NOT_SET,
        life_cycle_state: Any = NOT_SET,
        owned_by_group_identifier: Any = NOT_SET,
        privacy_level_identifier: Any = NOT_SET,
        referring_to: Mapping[str, IdentifierLike] | None = None,
        unrestricted_parameter_set: Sequence[UnrestrictedChange] | None = None,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
        **udf_fields: Any,
    ) -> CrmcomCommunication:
        """Change a DRAFT communication; fields not given are left alone, None sets null.

        :calls: ``POST /crmapi/rest/v2/communications/update``

        Args:
            communication_identifier: Which one (exactly one field).
            template_identifier: A new template (None clears it, and so for the
                identifiers below).
            category_identifier: A new category.
            communication_queue_external_system_identifier: A new external system.
            owned_by_group_identifier: A new owning group.
            privacy_level_identifier: A new privacy level.
            direction: A new direction (cannot be cleared).
            media: A new media (cannot be cleared).
            subject: A new subject (cannot be cleared).
            content: A new text (cannot be cleared).
            to: A new recipient (None clears it, except with media EMAIL).
            notes: New notes (None clears them).
            life_cycle_state: ``DRAFT`` or ``COMPLETED``.
            referring_to: Entity type -> identifier.
            unrestricted_parameter_set: ``UnrestrictedChange.add/update/remove``
                (R9+).
            fields_set: Only these fields in the answer.
            include_raw: Keep the payload in ``raw``.
            **udf_fields: ``udf_*`` fields (None clears one).

        Returns:
            The updated communication.

        Raises:
            ValidationError: A documented rule is broken; nothing was sent.
            ConflictError: The communication is not a draft (server-side rule).
            NotFoundError: No such communication.
        """
        op = "communications.update"
        rules = Rules(VENDOR, op)
        body: dict[str, Any] = {
            "communication_identifier": self._post_identifier(
                rules, "communication_identifier", communication_identifier
            )
        }
        for name, value in (
            ("template_identifier", template_identifier),
            ("category_identifier", category_identifier),
            (
                "communication_queue_external_system_identifier",
                communication_queue_external_system_identifier,
            ),
            ("owned_by_group_identifier", owned_by_group_identifier),
            ("privacy_level_identifier", privacy_level_identifier),
        ):
            if value is not NOT_SET:
                body[name] = (
                    None if value is None else self._post_identifier(rules, name, value)
                )
        choices = {
            "direction": DIRECTIONS,
            "media": MEDIA,
            "life_cycle_state": LIFE_CYCLE_STATES,
        }
        for name, value in (
            ("direction", direction),
            ("media", media),
            ("life_cycle_state", life_cycle_state),
        ):
            if value is NOT_SET:
                continue
            if value is None:
                rules.fail(name, "cannot be set to null")
            body[name] = _choice(rules, name, value, choices[name])
        for name, value in (("subject", subject), ("content", content)):
            if value is NOT_SET:
                continue
            if value is None:
                rules.fail(name, "cannot be set to null: a communication needs it")
            body[name] = rules.text(name, value, required=True)
        if to is not NOT_SET:
            if to is None and body.get("media") == "EMAIL":
                rules.fail("to", "is mandatory when media is EMAIL")
            body["to"] = None if to is None else rules.text("to", to, required=True)
        if notes is not NOT_SET:
            body["notes"] = rules.text("notes", notes)
        if referring_to is not None:
            body["referring_to"] = self._referring_to(rules, referring_to)
        if unrestricted_parameter_set is not None:
            self._gate(
                rules, "unrestricted_parameter_set", SINCE["unrestricted_parameter_set"]
            )
            body["unrestricted_parameter_set"] = [
                self._unrestricted_change(rules, change)
                for change in _sequence(
                    rules, "unrestricted_parameter_set", unrestricted_parameter_set
                )
            ]
        body.update(self._udf(rules, udf_fields, allow_null=True))
        fields = self._fields_value(rules, fields_set)
        if fields is not None:
            body["fields_set"] = fields
        data = self._post("/communications/update", body, op)
        return self._one(data, CrmcomCommunication, op, include_raw)

    def complete_communication(
        self,
        communication_identifier: IdentifierLike,
        *,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> CrmcomCommunication:
        """Complete a DRAFT communication.

        :calls: ``POST /crmapi/rest/v2/communications/complete``

        Args:
            communication_identifier: Which one (exactly one field).
            fields_set: Only these fields in the answer.
            include_raw: Keep the payload in ``raw``.

        Returns:
            The communication as the answer gives it (id, number, life cycle state,
            contact, subject, viewed...).

        Raises:
            ValidationError: A malformed identifier; nothing was sent.
            ConflictError: It is not a draft.
            NotFoundError: No such communication.
        """
        op = "communications.complete"
        rules = Rules(VENDOR, op)
        body: dict[str, Any] = {
            "communication_identifier": self._post_identifier(
                rules, "communication_identifier", communication_identifier
            )
        }
        fields = self._fields_value(rules, fields_set)
        if fields is not None:
            body["fields_set"] = fields
        landed = self._landed(
            "/communications/show",
            self._get_identifier(
                rules, "communication_identifier", communication_identifier
            ),
            "COMPLETED",
            op,
        )
        data = self._post("/communications/complete", body, op, replayed=landed)
        return self._one(data, CrmcomCommunication, op, include_raw)

    def set_communication_as_viewed(
        self,
        communication_identifier: IdentifierLike,
        *,
        viewed_on: datetime | date | str | None = None,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> CrmcomCommunication:
        """Mark a COMPLETED communication as viewed (R12.2+).

        :calls: ``POST /crmapi/rest/v2/communications/set_as_viewed``

        Args:
            communication_identifier: Which one (exactly one field).
            viewed_on: When it was viewed (default: now, on the server). A naive
                datetime is in the client's time zone.
            fields_set: Only these fields in the answer.
            include_raw: Keep the payload in ``raw``.

        Returns:
            The communication with ``viewed`` and ``viewed_on``.

        Raises:
            NotSupportedError: The release is older than R12.2; nothing was sent.
            ValidationError: A malformed identifier or date; nothing was sent.
            ConflictError: It is not completed.
        """
        op = "communications.set_as_viewed"
        self._require_method(op)
        rules = Rules(VENDOR, op)
        body: dict[str, Any] = {
            "communication_identifier": self._post_identifier(
                rules, "communication_identifier", communication_identifier
            )
        }
        if viewed_on is not None:
            body["viewed_on"] = self._moment(rules, "viewed_on", viewed_on)
        fields = self._fields_value(rules, fields_set)
        if fields is not None:
            body["fields_set"] = fields
        data = self._post("/communications/set_as_viewed", body, op)
        return self._one(data, CrmcomCommunication, op, include_raw)

    # -- communications/queue --------------------------------------------------------------

    def show_queue_entry(
        self,
        communication_queue_identifier: IdentifierLike,
        *,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> CommunicationQueueEntry:
        """One communication queue entry.

        :calls: ``GET /crmapi/rest/v2/communications/queue/show``

        Args:
            communication_queue_identifier: Which one: ``Identifier.by_number("1")``
                or ``Identifier.by_id(...)``.
            fields_set: Only these fields in the answer.
            include_raw: Keep the payload in ``raw``.

        Raises:
            ValidationError: A malformed identifier; nothing was sent.
            NotFoundError: No such entry.
        """
        op = "communications.queue.show"
        rules = Rules(VENDOR, op)
        pairs = [
            self._get_identifier(
                rules, "communication_queue_identifier", communication_queue_identifier
            )
        ]
        pairs += self._fields_pair(rules, fields_set)
        data = self._get("/communications/queue/show", pairs, op)
        return self._one(data, CommunicationQueueEntry, op, include_raw)

    def list_queue(
        self,
        *,
        communication_queue_external_system_identifier: IdentifierLike | None = None,
        media: str | None = None,
        contact_information_identifier: IdentifierLike | None = None,
        life_cycle_state: str | None = None,
        number_of_results: int | None = None,
        offset: int | None = None,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> list[CommunicationQueueEntry]:
        """Communication queue entries of an external system or a media.

        :calls: ``GET /crmapi/rest/v2/communications/queue/list``

        Args:
            communication_queue_external_system_identifier: The external system
                (semi-optional).
            media: Or the media (semi-optional): exactly one of the two.
            contact_information_identifier: The receiving contact (R5+).
            life_cycle_state: ``PENDING``, ``REJECTED``, ``COMPLETED`` or
                ``COMPLETED_AND_REMOVED`` (R10.1+).
            number_of_results: Page size (R13+).
            offset: Where the page starts (R13+).
            fields_set: Only these fields in the answer.
            include_raw: Keep each payload in ``raw``.

        Raises:
            ValidationError: Not exactly one of external system and media, a bad
                value, or a parameter newer than the release; nothing was sent.
        """
        op = "communications.queue.list"
        rules = Rules(VENDOR, op)
        pairs = self._queue_filters(
            rules,
            communication_queue_external_system_identifier,
            media,
            contact_information_identifier,
        )
        if life_cycle_state is not None:
            state = _choice(rules, "life_cycle_state", life_cycle_state, QUEUE_STATES)
            if state == "COMPLETED_AND_REMOVED":
                self._gate(
                    rules,
                    "life_cycle_state",
                    SINCE["COMPLETED_AND_REMOVED"],
                    what="COMPLETED_AND_REMOVED",
                )
            pairs.append(("life_cycle_state", state))
        pairs += self._page_pairs(rules, number_of_results, offset)
        pairs += self._fields_pair(rules, fields_set)
        data = self._get("/communications/queue/list", pairs, op)
        return self._many(data, CommunicationQueueEntry, op, include_raw)

    def iter_queue(
        self,
        *,
        communication_queue_external_system_identifier: IdentifierLike | None = None,
        media: str | None = None,
        contact_information_identifier: IdentifierLike | None = None,
        life_cycle_state: str | None = None,
        fields_set: Sequence[str] | None = None,
        page_size: int | None = None,
        workers: Workers = 1,
        include_raw: bool = True,
    ) -> Pager[CommunicationQueueEntry]:
        """Every matching queue entry, page after page (lazy; one call before R13).

        :calls: ``GET /crmapi/rest/v2/communications/queue/list`` (repeatedly)

        Args:
            communication_queue_external_system_identifier: As in
                :meth:`list_queue`.
            media: As in :meth:`list_queue`.
            contact_information_identifier: As in :meth:`list_queue`.
            life_cycle_state: As in :meth:`list_queue`.
            fields_set: As in :meth:`list_queue`.
            page_size: Records per call (R13+ only).
            workers: Accepted; pages are read in order.
            include_raw: Keep each payload in ``raw``.

        Raises:
            ValidationError: As in :meth:`list_queue`, or a page_size before R13.
        """
        op = "communications.queue.list"
        rules = Rules(VENDOR, op)
        self._queue_filters(
            rules,
            communication_queue_external_system_identifier,
            media,
            contact_information_identifier,
        )
        if life_cycle_state is not None:
            state = _choice(rules, "life_cycle_state", life_cycle_state, QUEUE_STATES)
            if state == "COMPLETED_AND_REMOVED":
                self._gate(
                    rules,
                    "life_cycle_state",
                    SINCE["COMPLETED_AND_REMOVED"],
                    what="COMPLETED_AND_REMOVED",
                )
        self._fields_pair(rules, fields_set)
        paged = self._check_page_size(rules, page_size)
        filters = {
            "communication_queue_external_system_identifier": communication_queue_external_system_identifier,
            "media": media,
            "contact_information_identifier": contact_information_identifier,
            "life_cycle_state": life_cycle_state,
            "fields_set": fields_set,
        }
        return Pager(
            list_paging(self.list_queue, filters, paged=paged, include_raw=include_raw),
            page_size=(page_size or DEFAULT_PAGE_SIZE) if paged else None,
            workers=workers,
            name="crmcom.communications.queue",
            vendor=VENDOR,
        )

    def get_latest_queue_entries(
        self,
        *,
        number: int,
        communication_queue_external_system_identifier: IdentifierLike | None = None,
        media: str | None = None,
        contact_information_identifier: IdentifierLike | None = None,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> list[CommunicationQueueEntry]:
        """The latest PENDING queue entries, newest first.

        :calls: ``GET /crmapi/rest/v2/communications/queue/get_latest``

        Args:
            number: How many entries (mandatory, at least 1).
            communication_queue_external_system_identifier: The external system
                (semi-optional).
            media: Or the media (semi-optional): exactly one of the two.
            contact_information_identifier: The receiving contact (R5+).
            fields_set: Only these fields in the answer.
            include_raw: Keep each payload in ``raw``.

        Raises:
            ValidationError: number missing or below 1, or not exactly one of
                external system and media; nothing was sent.
        """
        op = "communications.queue.get_latest"
        rules = Rules(VENDOR, op)
        pairs = self._queue_filters(
            rules,
            communication_queue_external_system_identifier,
            media,
            contact_information_identifier,
        )
        pairs.append(("number", str(rules.integer("number", number, minimum=1))))
        pairs += self._fields_pair(rules, fields_set)
        data = self._get("/communications/queue/get_latest", pairs, op)
        return self._many(data, CommunicationQueueEntry, op, include_raw)

    def process_queue_entry(
        self,
        communication_queue_identifier: IdentifierLike,
        *,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> CommunicationQueueEntry:
        """Mark a queue entry as processed (PENDING -> COMPLETED).

        :calls: ``POST /crmapi/rest/v2/communications/queue/process``

        Args:
            communication_queue_identifier: Which entry (exactly one field).
            fields_set: Only these fields in the answer (R10+).
            include_raw: Keep the payload in ``raw``.

        Raises:
            ValidationError: A malformed identifier; nothing was sent.
            ConflictError: The entry is not pending.
            NotFoundError: No such entry.
        """
        return self._queue_write(
            "process", communication_queue_identifier, {}, fields_set, include_raw
        )

    def reject_queue_entry(
        self,
        communication_queue_identifier: IdentifierLike,
        *,
        error_code: str,
        error_description: str,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> CommunicationQueueEntry:
        """Reject a queue entry (PENDING -> REJECTED) with the external system's reason.

        :calls: ``POST /crmapi/rest/v2/communications/queue/reject``

        Args:
            communication_queue_identifier: Which entry (exactly one field).
            error_code: The external system's error code (mandatory).
            error_description: Its description (mandatory).
            fields_set: Only these fields in the answer (R10+).
            include_raw: Keep the payload in ``raw``.

        Raises:
            ValidationError: error_code or error_description missing; nothing was
                sent.
            ConflictError: The entry is not pending.
        """
        rules = Rules(VENDOR, "communications.queue.reject")
        extra = {
            "error_code": rules.text("error_code", error_code, required=True),
            "error_description": rules.text(
                "error_description", error_description, required=True
            ),
        }
        return self._queue_write(
            "reject", communication_queue_identifier, extra, fields_set, include_raw
        )

    def remove_queue_entry(
        self,
        communication_queue_identifier: IdentifierLike,
        *,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> CommunicationQueueEntry:
        """Set a queue entry to COMPLETED_AND_REMOVED (from PENDING or COMPLETED; R11+).

        :calls: ``POST /crmapi/rest/v2/communications/queue/remove``

        Args:
            communication_queue_identifier: Which entry (exactly one field).
            fields_set: Only these fields in the answer.
            include_raw: Keep the payload in ``raw``.

        Raises:
            NotSupportedError: The release is older than R11; nothing was sent.
            ConflictError: The entry is rejected or already removed.
        """
        self._require_method("communications.queue.remove")
        return self._queue_write(
            "remove", communication_queue_identifier, {}, fields_set, include_raw
        )

    def get_pending_completed_queue_entries(
        self,
        *,
        communication_queue_external_system_identifier: IdentifierLike | None = None,
        media: str | None = None,
        contact_information_identifier: IdentifierLike | None = None,
        number_of_results: int | None = None,
        offset: int | None = None,
        number: int | None = None,
        fields_set: Sequence[str] | None = None,
        include_raw: bool = True,
    ) -> list[CommunicationQueueEntry]:
        """The latest pending-to-be-viewed and completed queue entries (R10.1+).

        :calls: ``GET /crmapi/rest/v2/communications/queue/get_pending_completed``

        Args:
            communication_queue_external_system_identifier: The external system
                (semi-optional).
            media: Or the media (semi-optional): exactly one of the two.
            contact_information_identifier: The receiving contact.
            number_of_results: How many, newest first. Sent as ``number`` before
                R13 (the parameter's old name); ``number`` is accepted as an alias.
            offset: Entries to skip (R13+).
            number: Alias of number_of_results (the pre-R13 name).
            fields_set: Only these fields in the answer.
            include_raw: Keep each payload in ``raw``.

        Raises:
            NotSupportedError: The release is older than R10.1; nothing was sent.
            ValidationError: Not exactly one of external system and media, both
                number and number_of_results, or offset before R13.
        """
        op = "communications.queue.get_pending_completed"
        self._require_method(op)
        rules = Rules(VENDOR, op)
        pairs = self._queue_filters(
            rules,
            communication_queue_external_system_identifier,
            media,
            contact_information_identifier,
        )
        if number is not None and number_of_results is not None:
            rules.fail("number", "is the pre-R13 name of number_of_results: give one")
        count = number_of_results if number_of_results is not None else number
        if count is not None:
            value = str(rules.integer("number_of_results", count, minimum=1))
            pairs.append(
                ("number_of_results" if self.release >= _R13 else "number", value)
            )
        if offset is not None:
            self._gate(rules, "offset", _R13)
            pairs.append(("offset", str(rules.integer("offset", offset, minimum=0))))
        pairs += self._fields_pair(rules, fields_set)
        data = self._get("/communications/queue/get_pending_completed", pairs, op)
        return self._many(data, CommunicationQueueEntry, op, include_raw)

    # -- helpers -----------------------------------------------------------------------------

    def _queue_write(
        self,
        action: str,
        identifier: IdentifierLike,
        extra: Mapping[str, Any],
        fields_set: Sequence[str] | None,
        include_raw: bool,
    ) -> CommunicationQueueEntry:
        op = f"communications.queue.{action}"
        rules = Rules(VENDOR, op)
        body: dict[str, Any] = {
            "communication_queue_identifier": self._post_identifier(
                rules, "communication_queue_identifier", identifier
            ),
            **extra,
        }
        fields = self._fields_value(rules, fields_set)
        if fields is not None:
            if action != "remove":
                self._gate(rules, "fields_set", SINCE["fields_set (writes)"])
            body["fields_set"] = fields
        landed = self._landed(
            "/communications/queue/show",
            self._get_identifier(rules, "communication_queue_identifier", identifier),
            _QUEUE_TARGETS[action],
            op,
        )
        data = self._post(f"/communications/queue/{action}", body, op, replayed=landed)
        return self._one(data, CommunicationQueueEntry, op, include_raw)

    def _get(self, path: str, pairs: Sequence[tuple[str, str]], operation: str) -> Any:
        # The query is written here, not left to requests, so that an identifier's
        # inner "=" goes out raw (x_identifier=number=CM000680), as the vendor's
        # examples send it; everything else is percent-encoded.
        query = "&".join(
            f"{quote(key, safe='')}={quote(value, safe='=,')}" for key, value in pairs
        )
        return self._requestor.request(
            "GET", f"{path}?{query}" if query else path, operation=operation
        )

    def _post(
        self,
        path: str,
        body: Mapping[str, Any],
        operation: str,
        *,
        replayed: Callable[[errors.CRMError], Any] | None = None,
    ) -> Any:
        return self._requestor.request(
            "POST",
            path,
            json=body,
            operation=operation,
            idempotent=WRITES[operation],
            replayed=replayed,
        )

    def _landed(
        self, show: str, identifier: tuple[str, str], state: str, operation: str
    ) -> Callable[[errors.CRMError], Any]:
        """``replayed=`` for a move to ``state``: when the replay is refused as a
        conflict (not a draft, wrong queue state) and the record now is in
        ``state``, the attempt whose answer was lost made the move; the record as
        it is now is the answer."""

        def check(error: errors.CRMError) -> Any:
            if not isinstance(error, errors.ConflictError):
                raise error
            data = self._get(show, [identifier], operation)
            if not isinstance(data, Mapping) or data.get("life_cycle_state") != state:
                raise error
            return data

        return check

    def _one(self, data: Any, cls: type[T], operation: str, include_raw: bool) -> T:
        return self._wire.structure(
            data, cls, path="$.data", operation=operation, keep_raw=include_raw
        )

    def _many(
        self, data: Any, cls: type[T], operation: str, include_raw: bool
    ) -> list[T]:
        if data is None:  # an empty list may come back as null
            return []
        return self._wire.structure_many(
            data, cls, path="$.data", operation=operation, keep_raw=include_raw
        )

    def _identifier(self, rules: Rules, name: str, value: Any) -> Identifier:
        """An Identifier, or a one-field mapping, checked: exactly one field."""
        rule = (
            "must be an Identifier (Identifier.by_id(...), .by_number(...), "
            ".by_name(...), .by_code(...)) or a mapping with exactly one field, "
            "such as {'number': 'CM000680'}"
        )
        if isinstance(value, Mapping):
            if len(value) != 1:
                rules.fail(
                    name,
                    f"must name exactly one identifying field, got {len(value)} ({rule})",
                )
            [(field, item)] = value.items()
            if isinstance(item, bool) or not isinstance(item, str | int):
                rules.fail(name, rule)
            if isinstance(item, int):
                item = str(rules.integer(name, item))
            value = Identifier(str(field), item)
        if not isinstance(value, Identifier):
            rules.fail(name, rule)
        field_name: Any = value.field
        field_value: Any = value.value
        if not isinstance(field_name, str) or not _FIELD_NAME.fullmatch(field_name):
            rules.fail(name, f"has an invalid field name {shown(field_name)}")
        if not isinstance(field_value, str) or not field_value.strip():
            rules.fail(name, f"needs a non-blank value for {field_name!r}")
        if field_name == "id":
            _crmcom_id(rules, name, field_value)
        elif not field_value.isprintable():
            rules.fail(
                name,
                f"needs a printable value for {field_name!r} (no control "
                f"characters), got {shown(field_value)}",
            )
        return value

    def _get_identifier(self, rules: Rules, name: str, value: Any) -> tuple[str, str]:
        if value is None:
            rules.fail(name, "is required")
        return (name, self._identifier(rules, name, value).query_value())

    def _post_identifier(self, rules: Rules, name: str, value: Any) -> dict[str, str]:
        if value is None or value is NOT_SET:
            rules.fail(name, "is required")
        return self._identifier(rules, name, value).as_json()

    def _optional_identifiers(self, rules: Rules, **values: Any) -> dict[str, Any]:
        return {
            name: self._post_identifier(rules, name, value)
            for name, value in values.items()
            if value is not None
        }

    def _communication_filters(
        self,
        rules: Rules,
        contact: Any,
        category: Any,
        direction: Any,
        media: Any,
    ) -> list[tuple[str, str]]:
        if contact is None and category is None:
            rules.fail(
                "contact_information_identifier",
                "or category_identifier is required (at least one of the two)",
            )
        pairs = []
        if contact is not None:
            pairs.append(
                self._get_identifier(rules, "contact_information_identifier", contact)
            )
        if category is not None:
            pairs.append(self._get_identifier(rules, "category_identifier", category))
        if direction is not None:
            pairs.append(
                ("direction", _choice(rules, "direction", direction, DIRECTIONS))
            )
        if media is not None:
            pairs.append(("media", _choice(rules, "media", media, MEDIA)))
        return pairs

    def _queue_filters(
        self, rules: Rules, system: Any, media: Any, contact: Any
    ) -> list[tuple[str, str]]:
        name = "communication_queue_external_system_identifier"
        if (system is None) == (media is None):
            rules.fail(
                name,
                "or media is required, and only one of the two"
                if system is None
                else "and media cannot both be given: exactly one of the two",
            )
        pairs = []
        if system is not None:
            pairs.append(self._get_identifier(rules, name, system))
        else:
            pairs.append(("media", _choice(rules, "media", media, MEDIA)))
        if contact is not None:
            self._gate(
                rules,
                "contact_information_identifier",
                SINCE["contact_information_identifier (queue)"],
            )
            pairs.append(
                self._get_identifier(rules, "contact_information_identifier", contact)
            )
        return pairs

    def _page_pairs(
        self, rules: Rules, number_of_results: Any, offset: Any
    ) -> list[tuple[str, str]]:
        pairs = []
        if number_of_results is not None:
            self._gate(rules, "number_of_results", _R13)
            pairs.append(
                (
                    "number_of_results",
                    str(
                        rules.integer("number_of_results", number_of_results, minimum=1)
                    ),
                )
            )
        if offset is not None:
            self._gate(rules, "offset", _R13)
            pairs.append(("offset", str(rules.integer("offset", offset, minimum=0))))
        return pairs

    def _check_page_size(self, rules: Rules, page_size: Any) -> bool:
        paged = self.paged
        if page_size is not None:
            self._gate(
                rules, "page_size", _R13, what="paging (number_of_results/offset)"
            )
            rules.integer("page_size", page_size, minimum=1)
        return paged

    def _fields_value(self, rules: Rules, fields_set: Any) -> str | None:
        if fields_set is None:
            return None
        if isinstance(fields_set, str) or not isinstance(
            fields_set, Sequence | set | frozenset
        ):
            rules.fail(
                "fields_set", "must be a list of field names, e.g. ['id', 'number']"
            )
        names = list(fields_set)
        if not names:
            rules.fail("fields_set", "must name at least one field (None means all)")
        for item in names:
            if not isinstance(item, str) or not _FIELD_NAME.match(item.strip()):
                rules.fail("fields_set", f"has an invalid field name {item!r:.40}")
        return ",".join(item.strip() for item in names)

    def _fields_pair(self, rules: Rules, fields_set: Any) -> list[tuple[str, str]]:
        value = self._fields_value(rules, fields_set)
        return [] if value is None else [("fields_set", value)]

    def _gate(
        self, rules: Rules, field: str, since: Release, *, what: str | None = None
    ) -> None:
        if self.release < since:
            rules.fail(
                field,
                f"{'(' + what + ') ' if what else ''}is available from CRM.COM "
                f"{since}; this client targets {self.release} (pass release= your "
                "server's release if it is newer)",
            )

    def _require_method(self, operation: str) -> None:
        since = SINCE[operation]
        if self.release < since:
            raise errors.NotSupportedError(
                VENDOR,
                operation,
                f"crmcom: {operation} is available from CRM.COM {since}; this client "
                f"targets {self.release}",
                hint="pass release= your server's release if it is newer",
            )

    def _moment(self, rules: Rules, field: str, value: Any) -> str:
        if isinstance(value, datetime | date):
            return _wire.format_datetime(value, self.timezone)
        if isinstance(value, str):
            try:
                _wire.parse_datetime(value, self.timezone)
            except (ValueError, TypeError):
                pass
            else:
                return value.strip()
        rules.fail(
            field,
            "must be a datetime, a date or a string such as '2014-05-05T15:49:59', "
            f"got {value!r:.40}",
        )

    def _udf(
        self, rules: Rules, fields: Mapping[str, Any], *, allow_null: bool
    ) -> dict[str, Any]:
        rules.only_known(fields, UDF_FIELDS, "user defined (udf_*)")
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if value is NOT_SET:
                continue
            if value is None:
                if allow_null:
                    out[name] = None
                continue
            kind = UDF_FIELDS[name]
            if kind == "string":
                out[name] = rules.text(name, value)
            elif kind == "float":
                out[name] = rules.number(name, value)
            else:
                out[name] = self._moment(rules, name, value)
        return out

    def _referring_to(
        self, rules: Rules, referring_to: Mapping[str, Any]
    ) -> dict[str, Any]:
        if not isinstance(referring_to, Mapping):
            rules.fail(
                "referring_to",
                "must map entity types to identifiers, e.g. "
                "{'subscription': Identifier.by_number('S60302')}",
            )
        out: dict[str, Any] = {}
        for key, value in referring_to.items():
            kind = str(key).removesuffix("_identifier")
            if not _FIELD_NAME.match(kind):
                rules.fail("referring_to", f"has an invalid entity type {key!r:.40}")
            out[f"{kind}_identifier"] = self._identifier(
                rules, f"referring_to.{kind}", value
            ).as_json()
        return out

    def _unrestricted_value(
        self, rules: Rules, value: Any, *, action: str | None
    ) -> dict[str, Any]:
        field = "unrestricted_parameter_set"
        if not isinstance(value, UnrestrictedValue):
            rules.fail(
                field,
                "items must be UnrestrictedValue.string/integer/number/moment(...)",
            )
        name = rules.text(f"{field}.name", value.name, required=True)
        kind = _choice(rules, f"{field}.type", value.type, UnrestrictedValue.TYPES)
        wire_value: Any
        if kind == "STRING":
            wire_value = rules.text(f"{field}.{name}", value.value, required=True)
        elif kind == "INTEGER":
            wire_value = rules.integer(f"{field}.{name}", value.value)
        elif kind == "FLOAT":
            wire_value = rules.number(f"{field}.{name}", value.value)
        else:
            wire_value = self._moment(rules, f"{field}.{name}", value.value)
        out: dict[str, Any] = {} if action is None else {"action": action}
        if action != "update":
            out["type"] = kind
        out[f"{kind.lower()}_value"] = wire_value
        out["name"] = name
        return out

    def _unrestricted_change(self, rules: Rules, change: Any) -> dict[str, Any]:
        field = "unrestricted_parameter_set"
        if not isinstance(change, UnrestrictedChange):
            rules.fail(field, "items must be UnrestrictedChange.add/update/remove(...)")
        action = rules.choice(
            f"{field}.action", change.action, ("add", "update", "remove")
        )
        if action == "add":
            if change.value is None:
                rules.fail(f"{field}.value", "is required to add a parameter")
            return self._unrestricted_value(rules, change.value, action="add")
        if change.identifier is None:
            rules.fail(f"{field}.identifier", f"is required to {action} a parameter")
        identifier = self._identifier(
            rules, "unrestricted_parameter_identifier", change.identifier
        ).as_json()
        if action == "remove":
            return {"action": "remove", "unrestricted_parameter_identifier": identifier}
        if change.value is None:
            rules.fail(f"{field}.value", "is required to update a parameter")
        out = self._unrestricted_value(rules, change.value, action="update")
        return {
            "action": "update",
            "unrestricted_parameter_identifier": identifier,
            **{k: v for k, v in out.items() if k != "action"},
        }


def _release(value: Any) -> Release:
    try:
        release = Release.parse(value)
    except ValueError:
        raise errors.ConfigurationError(
            f"release must look like 'R13', 'R12.2' or 'R10.1.0', got {value!r:.40}",
            vendor=VENDOR,
        ) from None
    if release < SINCE["communications"]:
        raise errors.ConfigurationError(
            f"communications exist from CRM.COM {SINCE['communications']}; got {release}",
            vendor=VENDOR,
        )
    return release


def _choice(rules: Rules, field: str, value: Any, choices: Sequence[str]) -> str:
    if not isinstance(value, str):
        rules.fail(field, f"must be one of {', '.join(choices)}, got {value!r:.40}")
    word = value.strip().upper()
    if word not in choices:
        rules.fail(field, f"must be one of {', '.join(choices)}, got {value!r:.40}")
    return word


def _sequence(rules: Rules, field: str, value: Any) -> list[Any]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        rules.fail(field, "must be a list")
    return list(value)


def _crmcom_id(rules: Rules, field: str, value: Any) -> str:
    """A CRM.COM record id, exactly as given (nothing stripped).

    The docs show ids as 32 uppercase hexadecimal digits, but other entities'
    ids differ (a country's is ``"127"``), so only what every id shown has in
    common is checked: 1 to 64 printable ASCII characters, no whitespace.

    Raises:
        ValidationError: Naming ``field``; nothing was sent.
    """
    return rules.string_id(
        field,
        value,
        pattern=_ID,
        form="a CRM.COM id: 1 to 64 printable ASCII characters without spaces, "
        "such as 460BB0DB7A4EB61D9D6E3DFEE8566C08",
    )
