"""qualifications: certificates, freezes, worker records, outbox, ledger imports

Revision ID: 0005_qualifications
Revises: 0004_sync
Create Date: 2026-11-28 11:35:34.765504
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.base

revision: str = "0005_qualifications"
down_revision: str | None = "0004_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "outbox_messages",
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("ordering_key", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("sent_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_messages_dedupe_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_messages_ordering_key_status", ["ordering_key", "status"], unique=False
        )

    op.create_table(
        "certificates",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("family", sa.String(length=16), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("item_limit", sa.String(length=64), nullable=True),
        sa.Column("number_enc", sa.String(length=200), nullable=False),
        sa.Column("number_index", sa.String(length=64), nullable=False),
        sa.Column("number_masked", sa.String(length=40), nullable=False),
        sa.Column("issuing_authority", sa.String(length=120), nullable=False),
        sa.Column("first_issued_on", sa.Date(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("review_failed_on", sa.Date(), nullable=True),
        sa.Column("review_extended", sa.Boolean(), nullable=False),
        sa.Column("review_due_on", sa.Date(), nullable=True),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("deadline_kind", sa.String(length=16), nullable=False),
        sa.Column("window_opens_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revoked_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=200), nullable=True),
        sa.Column(
            "photos",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("import_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_certificates_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("person_id", "item_key", name=op.f("uq_certificates_person_id")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_deadline_on"), ["deadline_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_family"), ["family"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_item_key"), ["item_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_number_index"), ["number_index"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_scope_path"), ["scope_path"], unique=False)
        batch_op.create_index("ix_certificates_status_deadline_on", ["status", "deadline_on"], unique=False)

    op.create_table(
        "ledger_imports",
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("strict", sa.Boolean(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "report",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_ledger_imports_created_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_imports")),
    )
    op.create_table(
        "off_job_periods",
        sa.Column("item_key", sa.String(length=40), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=120), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_off_job_periods_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_off_job_periods")),
    )
    with op.batch_alter_table("off_job_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_off_job_periods_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_off_job_periods_scope_path"), ["scope_path"], unique=False)

    op.create_table(
        "practical_assessments",
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("assessor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_practical_assessments_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practical_assessments")),
    )
    with op.batch_alter_table("practical_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_practical_assessments_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_practical_assessments_scope_path"), ["scope_path"], unique=False)

    op.create_table(
        "training_records",
        sa.Column("item_key", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=120), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_training_records_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_records_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_training_records_scope_path"), ["scope_path"], unique=False)

    op.create_table(
        "worker_assignments",
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_worker_assignments_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_assignments")),
        sa.UniqueConstraint("person_id", "item_key", name=op.f("uq_worker_assignments_person_id")),
    )
    with op.batch_alter_table("worker_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_assignments_item_key"), ["item_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_worker_assignments_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_worker_assignments_scope_path"), ["scope_path"], unique=False)

    op.create_table(
        "certificate_events",
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["people.id"], name=op.f("fk_certificate_events_actor_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_events_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_events")),
    )
    with op.batch_alter_table("certificate_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_events_certificate_id"), ["certificate_id"], unique=False
        )

    op.create_table(
        "freezes",
        sa.Column("certificate_id", sa.Uuid(), nullable=True),
        sa.Column("item_key", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("frozen_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("lifted_reason", sa.String(length=120), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificates.id"], name=op.f("fk_freezes_certificate_id_certificates")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_freezes_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freezes")),
    )
    with op.batch_alter_table("freezes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_freezes_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_freezes_person_id_lifted_at", ["person_id", "lifted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_freezes_scope_path"), ["scope_path"], unique=False)

    op.create_table(
        "violations",
        sa.Column("certificate_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificates.id"], name=op.f("fk_violations_certificate_id_certificates")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_violations_person_id_people")),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["people.id"], name=op.f("fk_violations_recorded_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
    )
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_violations_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_violations_scope_path"), ["scope_path"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_violations_scope_path"))
        batch_op.drop_index(batch_op.f("ix_violations_person_id"))

    op.drop_table("violations")
    with op.batch_alter_table("freezes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_freezes_scope_path"))
        batch_op.drop_index("ix_freezes_person_id_lifted_at")
        batch_op.drop_index(batch_op.f("ix_freezes_person_id"))

    op.drop_table("freezes")
    with op.batch_alter_table("certificate_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_events_certificate_id"))

    op.drop_table("certificate_events")
    with op.batch_alter_table("worker_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_assignments_scope_path"))
        batch_op.drop_index(batch_op.f("ix_worker_assignments_person_id"))
        batch_op.drop_index(batch_op.f("ix_worker_assignments_item_key"))

    op.drop_table("worker_assignments")
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_records_scope_path"))
        batch_op.drop_index(batch_op.f("ix_training_records_person_id"))

    op.drop_table("training_records")
    with op.batch_alter_table("practical_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practical_assessments_scope_path"))
        batch_op.drop_index(batch_op.f("ix_practical_assessments_person_id"))

    op.drop_table("practical_assessments")
    with op.batch_alter_table("off_job_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_off_job_periods_scope_path"))
        batch_op.drop_index(batch_op.f("ix_off_job_periods_person_id"))

    op.drop_table("off_job_periods")
    op.drop_table("ledger_imports")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_certificates_status_deadline_on")
        batch_op.drop_index(batch_op.f("ix_certificates_scope_path"))
        batch_op.drop_index(batch_op.f("ix_certificates_person_id"))
        batch_op.drop_index(batch_op.f("ix_certificates_number_index"))
        batch_op.drop_index(batch_op.f("ix_certificates_item_key"))
        batch_op.drop_index(batch_op.f("ix_certificates_family"))
        batch_op.drop_index(batch_op.f("ix_certificates_deadline_on"))

    op.drop_table("certificates")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_ordering_key_status")

    op.drop_table("outbox_messages")
