"""CRM.COM (legacy Web API crmapi/rest/v2): communications and the communication queue.

>>> from crmclients.vendors.crmcom import CrmcomClient, Identifier
>>> CrmcomClient(base_url="https://crm.example.com", username="api",
...              password="secret-password", organisation="acme")
CrmcomClient(base_url='https://crm.example.com/crmapi/rest/v2', release='R13.0.0', password=[secure])
>>> Identifier.by_number("CM000680")
Identifier(field='number', value='CM000680')
"""

from crmclients.vendors.crmcom.client import CrmcomClient
from crmclients.vendors.crmcom.models import (
    CommunicationQueueEntry,
    ContactInformation,
    Country,
    CrmcomCommunication,
    Demographics,
    Identifier,
    LogInformation,
    PartialDate,
    Reference,
    Release,
    UnrestrictedChange,
    UnrestrictedParameter,
    UnrestrictedValue,
    UserInfo,
)

__all__ = [
    "CommunicationQueueEntry",
    "ContactInformation",
    "Country",
    "CrmcomClient",
    "CrmcomCommunication",
    "Demographics",
    "Identifier",
    "LogInformation",
    "PartialDate",
    "Reference",
    "Release",
    "UnrestrictedChange",
    "UnrestrictedParameter",
    "UnrestrictedValue",
    "UserInfo",
]
