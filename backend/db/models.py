"""Every model, imported once: Alembic's target metadata and the sync registry read this."""

from backend.alarms.models import Alarm, AlarmClip, AlarmRecipient
from backend.analytics.models import AlarmReview, DetectorCalibration, DetectorTag, ScadaSample
from backend.analytics.rollup_models import (
    AnalyticsDay,
    AnalyticsDirty,
    AnalyticsFold,
    AnalyticsHour,
    GasDirtyHour,
    GasHour,
)
from backend.audit.models import AuditEntry, AuditLogHead, AuditNode, TreeHead
from backend.auth.models import Challenge, Device, Enrollment, Passkey, WebSession
from backend.badges.models import BadgePhoto, BadgeScan
from backend.db.base import Base
from backend.db.changes import ChangeLog
from backend.devices.models import DeviceCommand, DeviceNonce, DeviceStatus, DeviceToken
from backend.gas.models import GasDetector, GasReading
from backend.integrations.models import OutboxMessage
from backend.jobs.models import SchedulerLease, Timer
from backend.ledger.models import LedgerImport
from backend.media.models import CertificateScan, ExamVideo, FaceCheck, FaceConsent, FaceTemplate
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
from backend.registry.models import RegistryCheck, RegistryFinding, RegistryRun
from backend.sync.models import FieldStamp, SyncOpResult
from backend.wearables.models import WearableSample
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
    "AlarmClip",
    "AlarmRecipient",
    "AlarmReview",
    "AnalyticsDay",
    "AnalyticsDirty",
    "AnalyticsFold",
    "AnalyticsHour",
    "ApprovalSlot",
    "Area",
    "Assignment",
    "AuditEntry",
    "AuditLogHead",
    "AuditNode",
    "BadgePhoto",
    "BadgeScan",
    "Base",
    "Certificate",
    "CertificateEvent",
    "CertificateScan",
    "Challenge",
    "ChangeLog",
    "Contractor",
    "Deputy",
    "DetectorCalibration",
    "DetectorTag",
    "Device",
    "DeviceCommand",
    "DeviceNonce",
    "DeviceStatus",
    "DeviceToken",
    "Enrollment",
    "ExamVideo",
    "FaceCheck",
    "FaceConsent",
    "FaceTemplate",
    "FieldStamp",
    "Freeze",
    "GasAnalysis",
    "GasDetector",
    "GasDirtyHour",
    "GasHour",
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
    "RegistryCheck",
    "RegistryFinding",
    "RegistryRun",
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
    "WearableSample",
    "WebSession",
]
