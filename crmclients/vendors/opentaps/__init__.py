"""Opentaps CRM-2 (activities and tasks): the native client and its models.

>>> from crmclients.vendors.opentaps import OpentapsClient
>>> OpentapsClient(auth_token="permanent-token", client_domain="acme.com")
OpentapsClient(base_url='https://crm2.opentaps.com', auth_token=[secure], temporary tokens)
"""

from crmclients.vendors.opentaps.client import OpentapsClient
from crmclients.vendors.opentaps.models import (
    ContactRole,
    OpentapsActivity,
    TempToken,
)

__all__ = [
    "ContactRole",
    "OpentapsActivity",
    "OpentapsClient",
    "TempToken",
]
