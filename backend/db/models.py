"""Every model, imported once: Alembic's target metadata and the sync registry read this."""

from backend.audit.models import AuditEntry, AuditLogHead, AuditNode, TreeHead
from backend.auth.models import Challenge, Device, Enrollment, Passkey, WebSession
from backend.db.base import Base
from backend.db.changes import ChangeLog
from backend.gas.models import DeviceToken, GasDetector, GasReading
from backend.jobs.models import SchedulerLease, Timer
from backend.org.models import Area, OrgUnit, SafetyFeature, SitePlan
from backend.people.models import Contractor, Deputy, Person, RoleAssignment
from backend.permits.models import (
    Absence,
    ApprovalSlot,
    GasAnalysis,
    Notification,
    Permit,
    PermitEvent,
)
from backend.sync.models import FieldStamp, SyncOpResult

__all__ = [
    "Absence",
    "ApprovalSlot",
    "Area",
    "AuditEntry",
    "AuditLogHead",
    "AuditNode",
    "Base",
    "Challenge",
    "ChangeLog",
    "Contractor",
    "Deputy",
    "Device",
    "DeviceToken",
    "Enrollment",
    "FieldStamp",
    "GasAnalysis",
    "GasDetector",
    "GasReading",
    "Notification",
    "OrgUnit",
    "Passkey",
    "Permit",
    "PermitEvent",
    "Person",
    "RoleAssignment",
    "SafetyFeature",
    "SchedulerLease",
    "SitePlan",
    "SyncOpResult",
    "Timer",
    "TreeHead",
    "WebSession",
]
