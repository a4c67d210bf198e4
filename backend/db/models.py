"""Every model, imported once: Alembic's target metadata and the sync registry read this."""

from backend.alarms.models import Alarm, AlarmRecipient
from backend.analytics.models import AlarmReview, DetectorCalibration, DetectorTag, ScadaSample
from backend.audit.models import AuditEntry, AuditLogHead, AuditNode, TreeHead
from backend.auth.models import Challenge, Device, Enrollment, Passkey, WebSession
from backend.db.base import Base
from backend.db.changes import ChangeLog
from backend.devices.models import DeviceNonce, DeviceStatus, DeviceToken
from backend.gas.models import GasDetector, GasReading
from backend.integrations.models import OutboxMessage
from backend.jobs.models import SchedulerLease, Timer
from backend.ledger.models import LedgerImport
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
from backend.push.models import PushMessage, PushSubscription
from backend.sync.models import FieldStamp, SyncOpResult
from backend.workers.models import (
    Assignment,
    Certificate,
    CertificateEvent,
    Freeze,
    OffJobPeriod,
    PracticalAssessment,
    TrainingRecord,
    Violation,
)

__all__ = [
    "Absence",
    "Alarm",
    "AlarmRecipient",
    "AlarmReview",
    "ApprovalSlot",
    "Area",
    "Assignment",
    "AuditEntry",
    "AuditLogHead",
    "AuditNode",
    "Base",
    "Certificate",
    "CertificateEvent",
    "Challenge",
    "ChangeLog",
    "Contractor",
    "Deputy",
    "DetectorCalibration",
    "DetectorTag",
    "Device",
    "DeviceNonce",
    "DeviceStatus",
    "DeviceToken",
    "Enrollment",
    "FieldStamp",
    "Freeze",
    "GasAnalysis",
    "GasDetector",
    "GasReading",
    "LedgerImport",
    "Notification",
    "OffJobPeriod",
    "OrgUnit",
    "OutboxMessage",
    "Passkey",
    "Permit",
    "PermitEvent",
    "Person",
    "PracticalAssessment",
    "PushMessage",
    "PushSubscription",
    "RoleAssignment",
    "SafetyFeature",
    "ScadaSample",
    "SchedulerLease",
    "SitePlan",
    "SyncOpResult",
    "Timer",
    "TrainingRecord",
    "TreeHead",
    "Violation",
    "WebSession",
]
