"""Administrate's own records, field for field as the legacy REST API v2 documents them.

The task record and its embedded objects come from the tasks page of the legacy
docs (``docs/legacy/CRM/tasks.md``); the embedded contact uses the fields of the
contacts page and the embedded event the fields of the events pages. Every field
is nullable where the docs show ``null``; anything the docs do not list is kept in
``raw`` (each nested object keeps its own payload in its own ``raw``).

Times: most Administrate fields are not time-zone aware. Their values arrive
without an offset (``"2013-09-17T00:00:00"``) and stay *naive* here, exactly as
sent, so they can be fed back into a filter (:class:`~.filters.TaskFilter`) as they
are. The adapter reads them in the client's ``timezone=`` (default UTC) when it
maps them onto the shared model. A value that does carry an offset stays aware.

Types the docs leave open (only ``null`` or ``[]`` is ever shown, and the value may
be an object) are typed ``Any`` rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import attrs

from crmclients._types import EMPTY_RAW

__all__ = [
    "AdministrateAccount",
    "AdministrateCompany",
    "AdministrateCompanySettings",
    "AdministrateContact",
    "AdministrateCurrency",
    "AdministrateEvent",
    "AdministrateRole",
    "AdministrateTask",
    "AdministrateTaskType",
    "AdministrateUser",
]


@attrs.frozen(kw_only=True)
class AdministrateCompanySettings:
    """Display settings of the Administrate company (``account.company.settings``).

    Attributes:
        time_format: PHP-style time format (``"H:i"``).
        date_format: PHP-style date format (``"Y-m-d"``).
        locale: Locale code (``"en_GB"``).
        week_starts: First day of the week, when set.
        non_working_days: Non-working days, when set (shape not documented).
    """

    time_format: str | None = None
    date_format: str | None = None
    locale: str | None = None
    week_starts: str | None = None
    non_working_days: Any = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AdministrateCurrency:
    """A currency (``account.company.currency``).

    Attributes:
        code: ISO 4217 code (``"GBP"``).
        name: Its name (``"British Pound Sterling"``).
        symbol: Its symbol (``"£"``).
        html_code: Its HTML entity, when set.
        is_base: Whether it is the company's base currency.
    """

    code: str | None = None
    name: str | None = None
    symbol: str | None = None
    html_code: str | None = None
    is_base: bool | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AdministrateCompany:
    """The Administrate company (tenant) an account belongs to (``account.company``).

    Attributes:
        id: Company id.
        code: Short code (``"ACM"``).
        name: Company name.
        currency_code: Default currency code.
        account_id: The company's own account, when linked.
        registration_numbers: Registration numbers (shape not documented).
        bank_details: Bank details (shape not documented).
        settings: Display settings.
        currency: The default currency.
    """

    id: int | None = None
    code: str | None = None
    name: str | None = None
    currency_code: str | None = None
    account_id: int | None = None
    registration_numbers: Any = None
    bank_details: Any = None
    settings: AdministrateCompanySettings | None = None
    currency: AdministrateCurrency | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AdministrateAccount:
    """A CRM account (an organisation) embedded in a task (``account``).

    Attributes:
        id: Account id.
        name: Account name.
        company: The Administrate company the account belongs to.
        created: When the account was created (naive: not time-zone aware).
        customer_since: Since when it is a customer.
        is_customer: Flag (and so are ``is_supplier``, ``is_partner``,
            ``is_employee``, ``is_individual`` and ``is_deleted``).

    The other attributes are the documented address, billing, shipping and
    contact fields, by their wire names.
    """

    id: int
    name: str | None = None
    company: AdministrateCompany | None = None
    created: datetime | None = None
    customer_since: date | None = None
    description: str | None = None
    notes: str | None = None
    email: str | None = None
    tel: str | None = None
    mobile: str | None = None
    fax: str | None = None
    url: str | None = None
    account_type: Any = None
    partner_type: Any = None
    source: Any = None
    source_details: str | None = None
    tags: Any = None
    industries: tuple[Any, ...] | None = None
    import_id: str | None = None
    external_id: str | None = None
    company_number: str | None = None
    vat_number: str | None = None
    bank_details: Any = None
    no_publicity: bool | None = None
    default_approver: int | None = None
    default_price_level_id: int | None = None
    default_price_level: Any = None
    parent_id: int | None = None
    primary_contact_id: int | None = None
    initial_contact_id: int | None = None
    is_customer: bool | None = None
    is_supplier: bool | None = None
    is_partner: bool | None = None
    is_employee: bool | None = None
    is_individual: bool | None = None
    is_deleted: bool | None = None
    address_unit: str | None = None
    address_street: str | None = None
    address_locality: str | None = None
    address_town: str | None = None
    address_region: str | None = None
    address_postcode: str | None = None
    address_country: Any = None
    billing_contact_person: str | None = None
    billing_address_unit: str | None = None
    billing_address_street: str | None = None
    billing_address_locality: str | None = None
    billing_address_town: str | None = None
    billing_address_region: str | None = None
    billing_address_postcode: str | None = None
    billing_address_country_id: int | None = None
    shipping_contact_person: str | None = None
    shipping_address_unit: str | None = None
    shipping_address_street: str | None = None
    shipping_address_locality: str | None = None
    shipping_address_town: str | None = None
    shipping_address_region: str | None = None
    shipping_address_postcode: str | None = None
    shipping_address_country_id: int | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AdministrateRole:
    """A role of a user (``user.roles[]``).

    Attributes:
        id: Role id.
        name: Role name, when set.
        system_name: Internal name, when set.
        description: Description, when set.
        company_id: Owning company, when set.
    """

    id: int | None = None
    name: str | None = None
    system_name: str | None = None
    description: str | None = None
    company_id: int | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AdministrateUser:
    """The user a task is assigned to (``user``).

    Attributes:
        id: User id (the task's ``user_id``).
        name: Full name; ``first_name`` and ``last_name`` its parts.
        email: Email address (the user's login for web users).
        initials: Initials, when set.
        locale: Locale, when set.
        signature: Email signature, when set.
        company_id: The user's company.
        contact_id: The user's own contact record, when linked.
        roles: The user's roles (empty when the answer gives none or null).
    """

    id: int
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    initials: str | None = None
    locale: str | None = None
    signature: str | None = None
    company_id: int | None = None
    contact_id: int | None = None
    roles: tuple[AdministrateRole, ...] = ()
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AdministrateTaskType:
    """The type of a task (``type``): an id and a name set up per instance.

    Attributes:
        id: Task type id (the task's ``type_id``).
        name: Its name (``"My task type"``).
    """

    id: int
    name: str | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AdministrateContact:
    """A CRM contact (a person) embedded in a task (``contact``).

    The fields are the ones the legacy contacts page lists
    (``docs/legacy/CRM/contacts.md``); list-valued and object-valued ones
    (``marketing_lists``, ``tasks``, ``organisation``) are kept as sent.

    Attributes:
        id: Contact id (the task's ``contact_id``).
        first_name, middle_name, last_name, salutation: The name.
        email, email2, tel, mobile, fax: How to reach them.
        account_id: The contact's account.
        created_on: When it was created (naive: not time-zone aware).

    The other attributes are the documented fields, by their wire names.
    """

    id: int
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    salutation: str | None = None
    email: str | None = None
    email2: str | None = None
    tel: str | None = None
    mobile: str | None = None
    fax: str | None = None
    job_title: str | None = None
    department: str | None = None
    organisation: Any = None
    account_id: int | None = None
    company_id: int | None = None
    created_on: datetime | None = None
    created_by_id: int | None = None
    membership_number: str | None = None
    import_ref: str | None = None
    external_id: str | None = None
    notes: str | None = None
    contract_notes: str | None = None
    lms_bio: str | None = None
    tutor_bio: str | None = None
    source1: Any = None
    source2: Any = None
    marketing_activity_id: int | None = None
    marketing_lists: Any = None
    tasks: Any = None
    overall_attendance: Any = None
    inactive: bool | None = None
    dormant: bool | None = None
    dont_mail: bool | None = None
    no_third_party: bool | None = None
    is_admin: bool | None = None
    is_tutor: bool | None = None
    is_staff: bool | None = None
    is_deleted: bool | None = None
    address_unit: str | None = None
    address_street: str | None = None
    address_locality: str | None = None
    address_town: str | None = None
    address_region: str | None = None
    address_postcode: str | None = None
    address_country_id: int | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)

    @property
    def full_name(self) -> str | None:
        """First and last name joined, or None when neither is set."""
        first, last = self.first_name, self.last_name
        if first and last:
            return f"{first} {last}"
        return first or last or None


@attrs.frozen(kw_only=True)
class AdministrateEvent:
    """A training event embedded in a task (``event``).

    The fields are the scalar ones the legacy public/private events pages list;
    embedded objects (course, venue, region, personnel, prices...) stay in ``raw``.
    Dates and times are kept as Administrate's text: the events pages do not show
    their formats.

    Attributes:
        id: Event id (the task's ``event_id``).
        code: Event code.
        title: Event title.
        course_id, venue_id, region_id, account_id, company_id: Linked records.
        time_zone: The event's time zone name.
        start_date, start_time, end_date, end_time: Local schedule, as text.
        start_tz: Zone-aware schedule field, as text (and so are ``end_tz``,
            ``classroom_start``, ``classroom_end``, ``classroom_start_tz`` and
            ``classroom_end_tz``).
        is_cancelled, is_online, is_provisional, is_sold_out, is_lms: Flags.
        delegates_max, delegates_booked, delegates_reserved, delegates_actual:
            Places.
        currency_code: Pricing currency.
        notes, notes2: Notes.
    """

    id: int
    code: str | None = None
    title: str | None = None
    course_id: int | None = None
    venue_id: int | None = None
    region_id: int | None = None
    account_id: int | None = None
    company_id: int | None = None
    time_zone: str | None = None
    start_date: str | None = None
    start_time: str | None = None
    end_date: str | None = None
    end_time: str | None = None
    start_tz: str | None = None
    end_tz: str | None = None
    classroom_start: str | None = None
    classroom_end: str | None = None
    classroom_start_tz: str | None = None
    classroom_end_tz: str | None = None
    is_cancelled: bool | None = None
    is_online: bool | None = None
    is_provisional: bool | None = None
    is_sold_out: bool | None = None
    is_lms: bool | None = None
    delegates_max: int | None = None
    delegates_booked: int | None = None
    delegates_reserved: int | None = None
    delegates_actual: int | None = None
    currency_code: str | None = None
    notes: str | None = None
    notes2: str | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AdministrateTask:
    """A CRM task (``/api/v2/crm/tasks``), with its embedded objects.

    Attributes:
        id: Task id.
        status: The instance's status word (``"Not Started"``, ``"Completed"``...).
        subject: Short title, when set.
        description: Longer text, when set.
        user_id: The assigned user; ``user`` the embedded user.
        type_id: The task type; ``type`` the embedded type.
        account_id: The account. List answers carry it; single-task answers only
            embed ``account`` (see :attr:`account_ref`).
        contact_id: The contact, when set; ``contact`` the embedded contact.
        event_id: The event, when set; ``event`` the embedded event.
        opportunity_id: The opportunity, when set; ``opportunity`` the embedded
            opportunity as sent (list answers only; its shape is not documented).
        start_datetime, end_datetime: The schedule (naive: not time-zone aware).
        created_on: When the task was created (naive: not time-zone aware).
        show_on_calendar: Whether the task shows on the calendar.
    """

    id: int
    status: str | None = None
    subject: str | None = None
    description: str | None = None
    user_id: int | None = None
    type_id: int | None = None
    account_id: int | None = None
    contact_id: int | None = None
    event_id: int | None = None
    opportunity_id: int | None = None
    start_datetime: datetime | None = None
    end_datetime: datetime | None = None
    created_on: datetime | None = None
    show_on_calendar: bool | None = None
    account: AdministrateAccount | None = None
    user: AdministrateUser | None = None
    type: AdministrateTaskType | None = None
    contact: AdministrateContact | None = None
    event: AdministrateEvent | None = None
    opportunity: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, repr=False, eq=False)

    @property
    def account_ref(self) -> int | None:
        """The account id: ``account_id``, else the embedded ``account``'s id."""
        if self.account_id is not None:
            return self.account_id
        return self.account.id if self.account is not None else None
