"""Administrate (legacy REST API v2): the native client, its models and v2 filters.

>>> import warnings
>>> from crmclients.vendors.administrate import AdministrateClient, TaskFilter
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")  # the once-per-process retirement notice
...     client = AdministrateClient(subdomain="acme", username="me@acme.test", password="s3cret-pw")
>>> client
AdministrateClient(base_url='https://acme.administrateapp.com/api/v2', username=[hidden], password=[secure])
>>> TaskFilter().where("user_id", "eq", 1).params()
[('user_id__eq', '1')]
"""

from crmclients.vendors.administrate.client import AdministrateClient
from crmclients.vendors.administrate.filters import (
    TASK_FIELDS,
    Condition,
    FieldKind,
    Operator,
    TaskFilter,
)
from crmclients.vendors.administrate.models import (
    AdministrateAccount,
    AdministrateCompany,
    AdministrateCompanySettings,
    AdministrateContact,
    AdministrateCurrency,
    AdministrateEvent,
    AdministrateRole,
    AdministrateTask,
    AdministrateTaskType,
    AdministrateUser,
)

__all__ = [
    "TASK_FIELDS",
    "AdministrateAccount",
    "AdministrateClient",
    "AdministrateCompany",
    "AdministrateCompanySettings",
    "AdministrateContact",
    "AdministrateCurrency",
    "AdministrateEvent",
    "AdministrateRole",
    "AdministrateTask",
    "AdministrateTaskType",
    "AdministrateUser",
    "Condition",
    "FieldKind",
    "Operator",
    "TaskFilter",
]
