"""Tactile CRM: the native client and its models.

>>> from crmclients.vendors.tactile import TactileClient
>>> TactileClient(api_token="secret-token", account="acme")
TactileClient(base_url='https://acme.tactilecrm.com', api_token=[secure])
"""

from crmclients.vendors.tactile.client import TactileClient
from crmclients.vendors.tactile.models import (
    OpportunityList,
    OpportunityOptions,
    TactileEmail,
    TactileNote,
    TactileOpportunity,
    TimelineEntry,
)

__all__ = [
    "OpportunityList",
    "OpportunityOptions",
    "TactileClient",
    "TactileEmail",
    "TactileNote",
    "TactileOpportunity",
    "TimelineEntry",
]
