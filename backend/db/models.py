"""Every model, imported once: Alembic's target metadata and the sync registry read this."""

from backend.alarms.models import Alarm, AlarmRecipient
from backend.auth.models import Challenge, Device, Enrollment, Passkey, WebSession
from backend.db.base import Base
from backend.db.changes import ChangeLog
from backend.devices.models import DeviceNonce, DeviceStatus, DeviceToken
from backend.jobs.models import SchedulerLease, Timer
from backend.org.models import Area, OrgUnit, SafetyFeature, SitePlan
from backend.people.models import Contractor, Deputy, Person, RoleAssignment
from backend.push.models import PushMessage, PushSubscription

__all__ = [
    "Alarm",
    "AlarmRecipient",
    "Area",
    "Base",
    "Challenge",
    "ChangeLog",
    "Contractor",
    "Deputy",
    "Device",
    "DeviceNonce",
    "DeviceStatus",
    "DeviceToken",
    "Enrollment",
    "OrgUnit",
    "Passkey",
    "Person",
    "PushMessage",
    "PushSubscription",
    "RoleAssignment",
    "SafetyFeature",
    "SchedulerLease",
    "SitePlan",
    "Timer",
    "WebSession",
]
