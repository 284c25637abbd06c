"""iVvy: the native client for the CRM activity and task actions, and its models.

>>> from crmclients.vendors.ivvy import IvvyClient
>>> IvvyClient(api_key="key-123456", api_secret="secret-abcdef", region="uk")
IvvyClient(base_url='https://api.eu-west-2.ivvy.com/api/1.0', api_key=[secure], api_secret=[secure])
"""

from crmclients.vendors.ivvy.client import IvvyClient
from crmclients.vendors.ivvy.models import (
    PRIORITIES,
    ActivityList,
    IvvyActivity,
    IvvyPing,
    IvvyTask,
    ListMeta,
    SubType,
    TaskList,
    TaskStatus,
)

__all__ = [
    "PRIORITIES",
    "ActivityList",
    "IvvyActivity",
    "IvvyClient",
    "IvvyPing",
    "IvvyTask",
    "ListMeta",
    "SubType",
    "TaskList",
    "TaskStatus",
]
