"""permits: permits, approval slots, gas analyses, absences, events, notifications; gas detectors

Revision ID: 0006_permits
Revises: 0002
Create Date: 2026-11-28 11:36:46.450006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.base

revision: str = "0006_permits"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "approver_absences",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_approver_absences_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approver_absences")),
    )
    with op.batch_alter_table("approver_absences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approver_absences_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_approver_absences_scope_path"), ["scope_path"], unique=False)

    op.create_table(
        "permits",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("work_type", sa.String(length=40), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("workshop_id", sa.Uuid(), nullable=True),
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
        sa.Column("guardian_id", sa.Uuid(), nullable=True),
        sa.Column(
            "operator_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "work_point",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "form",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "facts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "measures",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "grading",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "simops",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("planned_start", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("planned_end", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("current_stage", sa.Integer(), nullable=False),
        sa.Column("submitted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("approved_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("started_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("suspended_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["applicant_id"], ["people.id"], name=op.f("fk_permits_applicant_id_people")),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_permits_area_id_areas")),
        sa.ForeignKeyConstraint(["guardian_id"], ["people.id"], name=op.f("fk_permits_guardian_id_people")),
        sa.ForeignKeyConstraint(["site_id"], ["org_units.id"], name=op.f("fk_permits_site_id_org_units")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["permits.id"], name=op.f("fk_permits_supersedes_id_permits")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["org_units.id"], name=op.f("fk_permits_workshop_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits")),
        sa.UniqueConstraint("number", name=op.f("uq_permits_number")),
    )
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permits_applicant_id"), ["applicant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_permits_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_permits_scope_path"), ["scope_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_permits_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_permits_status"), ["status"], unique=False)

    op.create_table(
        "approval_slots",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("on_site", sa.Boolean(), nullable=False),
        sa.Column("gas_lock", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("handed_to_id", sa.Uuid(), nullable=True),
        sa.Column("escalated_to_id", sa.Uuid(), nullable=True),
        sa.Column("opened_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("pending_since", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "evidence",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["people.id"], name=op.f("fk_approval_slots_assignee_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["people.id"], name=op.f("fk_approval_slots_decided_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["escalated_to_id"], ["people.id"], name=op.f("fk_approval_slots_escalated_to_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["handed_to_id"], ["people.id"], name=op.f("fk_approval_slots_handed_to_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["permits.id"], name=op.f("fk_approval_slots_permit_id_permits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_slots")),
        sa.UniqueConstraint("permit_id", "key", name=op.f("uq_approval_slots_permit_id")),
    )
    with op.batch_alter_table("approval_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_slots_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_slots_permit_id"), ["permit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_slots_scope_path"), ["scope_path"], unique=False)

    op.create_table(
        "device_tokens",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_device_tokens_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_device_tokens_token_hash")),
    )
    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_tokens_device_id"), ["device_id"], unique=False)

    op.create_table(
        "gas_analyses",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("sampled_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("point", sa.String(length=120), nullable=False),
        sa.Column("gas", sa.String(length=40), nullable=False),
        sa.Column("result", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("analyst_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["analyst_id"], ["people.id"], name=op.f("fk_gas_analyses_analyst_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["permits.id"], name=op.f("fk_gas_analyses_permit_id_permits")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["people.id"], name=op.f("fk_gas_analyses_recorded_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gas_analyses")),
    )
    with op.batch_alter_table("gas_analyses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gas_analyses_permit_id"), ["permit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gas_analyses_scope_path"), ["scope_path"], unique=False)

    op.create_table(
        "gas_detectors",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("gas", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_gas_detectors_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_gas_detectors_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["org_units.id"], name=op.f("fk_gas_detectors_site_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gas_detectors")),
        sa.UniqueConstraint("code", name=op.f("uq_gas_detectors_code")),
    )
    with op.batch_alter_table("gas_detectors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gas_detectors_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gas_detectors_scope_path"), ["scope_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_gas_detectors_site_id"), ["site_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("permit_id", sa.Uuid(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("read_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["permits.id"], name=op.f("fk_notifications_permit_id_permits")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_notifications_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_person_id_created_at", ["person_id", "created_at"], unique=False
        )

    op.create_table(
        "permit_events",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["people.id"], name=op.f("fk_permit_events_actor_id_people")),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["permits.id"], name=op.f("fk_permit_events_permit_id_permits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_events")),
    )
    with op.batch_alter_table("permit_events", schema=None) as batch_op:
        batch_op.create_index("ix_permit_events_permit_id_at", ["permit_id", "at"], unique=False)

    op.create_table(
        "gas_readings",
        sa.Column("detector_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("measured_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("gas", sa.String(length=40), nullable=False),
        sa.Column("lel_percent", sa.Float(), nullable=True),
        sa.Column("o2_percent", sa.Float(), nullable=True),
        sa.Column("within_limits", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_gas_readings_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["detector_id"], ["gas_detectors.id"], name=op.f("fk_gas_readings_detector_id_gas_detectors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gas_readings")),
    )
    with op.batch_alter_table("gas_readings", schema=None) as batch_op:
        batch_op.create_index("ix_gas_readings_area_id_measured_at", ["area_id", "measured_at"], unique=False)
        batch_op.create_index(
            "ix_gas_readings_detector_id_measured_at", ["detector_id", "measured_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("gas_readings", schema=None) as batch_op:
        batch_op.drop_index("ix_gas_readings_detector_id_measured_at")
        batch_op.drop_index("ix_gas_readings_area_id_measured_at")

    op.drop_table("gas_readings")
    with op.batch_alter_table("permit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_permit_events_permit_id_at")

    op.drop_table("permit_events")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_person_id_created_at")

    op.drop_table("notifications")
    with op.batch_alter_table("gas_detectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gas_detectors_site_id"))
        batch_op.drop_index(batch_op.f("ix_gas_detectors_scope_path"))
        batch_op.drop_index(batch_op.f("ix_gas_detectors_area_id"))

    op.drop_table("gas_detectors")
    with op.batch_alter_table("gas_analyses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gas_analyses_scope_path"))
        batch_op.drop_index(batch_op.f("ix_gas_analyses_permit_id"))

    op.drop_table("gas_analyses")
    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_tokens_device_id"))

    op.drop_table("device_tokens")
    with op.batch_alter_table("approval_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_slots_scope_path"))
        batch_op.drop_index(batch_op.f("ix_approval_slots_permit_id"))
        batch_op.drop_index(batch_op.f("ix_approval_slots_assignee_id"))

    op.drop_table("approval_slots")
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permits_status"))
        batch_op.drop_index(batch_op.f("ix_permits_site_id"))
        batch_op.drop_index(batch_op.f("ix_permits_scope_path"))
        batch_op.drop_index(batch_op.f("ix_permits_area_id"))
        batch_op.drop_index(batch_op.f("ix_permits_applicant_id"))

    op.drop_table("permits")
    with op.batch_alter_table("approver_absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approver_absences_scope_path"))
        batch_op.drop_index(batch_op.f("ix_approver_absences_person_id"))

    op.drop_table("approver_absences")
