"""alarms: alarms and recipients, device tokens, nonces and status, push subscriptions and outbox

Revision ID: 0007_alarms
Revises: 0003_audit
Create Date: 2026-11-28 11:37:12.642272
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.base

revision: str = "0007_alarms"
down_revision: str | None = "0003_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alarms",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("subject_person_id", sa.Uuid(), nullable=True),
        sa.Column("raised_by", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("x", sa.Integer(), nullable=True),
        sa.Column("y", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "labels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "plan",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("image_path", sa.String(length=300), nullable=True),
        sa.Column("raised_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.Column("response_seconds", sa.Float(), nullable=True),
        sa.Column("assigned_to", sa.Uuid(), nullable=True),
        sa.Column("assigned_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"], ["people.id"], name=op.f("fk_alarms_acknowledged_by_people")
        ),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_alarms_area_id_areas")),
        sa.ForeignKeyConstraint(["assigned_to"], ["people.id"], name=op.f("fk_alarms_assigned_to_people")),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_alarms_device_id_devices")),
        sa.ForeignKeyConstraint(["raised_by"], ["people.id"], name=op.f("fk_alarms_raised_by_people")),
        sa.ForeignKeyConstraint(["resolved_by"], ["people.id"], name=op.f("fk_alarms_resolved_by_people")),
        sa.ForeignKeyConstraint(["site_id"], ["org_units.id"], name=op.f("fk_alarms_site_id_org_units")),
        sa.ForeignKeyConstraint(
            ["subject_person_id"], ["people.id"], name=op.f("fk_alarms_subject_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
    )
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarms_scope_path"), ["scope_path"], unique=False)
        batch_op.create_index("ix_alarms_site_id_state", ["site_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarms_state"), ["state"], unique=False)

    op.create_table(
        "device_nonces",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_device_nonces_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("device_id", "nonce", name=op.f("pk_device_nonces")),
    )
    with op.batch_alter_table("device_nonces", schema=None) as batch_op:
        batch_op.create_index("ix_device_nonces_seen_at", ["seen_at"], unique=False)

    op.create_table(
        "device_status",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("x", sa.Integer(), nullable=True),
        sa.Column("y", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("heart_rate", sa.Integer(), nullable=True),
        sa.Column("body_temp_c", sa.Float(), nullable=True),
        sa.Column("ambient_temp_c", sa.Float(), nullable=True),
        sa.Column("humidity_pct", sa.Float(), nullable=True),
        sa.Column("battery_pct", sa.Integer(), nullable=True),
        sa.Column("health", sa.String(length=16), nullable=False),
        sa.Column(
            "components",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("reported_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_device_status_device_id_devices")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_device_status_person_id_people")),
        sa.ForeignKeyConstraint(
            ["site_id"], ["org_units.id"], name=op.f("fk_device_status_site_id_org_units")
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device_status")),
    )
    with op.batch_alter_table("device_status", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_status_site_id"), ["site_id"], unique=False)

    # device_tokens exists since 0006_permits (edge nodes' gas readings); alarms add last use.
    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_used_at", backend.db.base.UtcDateTime(timezone=True), nullable=True)
        )

    op.create_table(
        "push_messages",
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref_id", sa.String(length=64), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("ttl", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=120), nullable=True),
        sa.Column("lease_until", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_push_messages_device_id_devices")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_push_messages_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_messages")),
        sa.UniqueConstraint("dedupe_key", "device_id", name=op.f("uq_push_messages_dedupe_key")),
    )
    with op.batch_alter_table("push_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_messages_device_id"), ["device_id"], unique=False)
        batch_op.create_index("ix_push_messages_kind_ref_id", ["kind", "ref_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_push_messages_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_push_messages_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "push_subscriptions",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint", sa.String(length=2000), nullable=False),
        sa.Column("endpoint_hash", sa.String(length=64), nullable=False),
        sa.Column("p256dh", sa.String(length=120), nullable=False),
        sa.Column("auth", sa.String(length=40), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_push_subscriptions_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_push_subscriptions_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("device_id", name=op.f("uq_push_subscriptions_device_id")),
        sa.UniqueConstraint("endpoint_hash", name=op.f("uq_push_subscriptions_endpoint_hash")),
    )
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_subscriptions_person_id"), ["person_id"], unique=False)

    op.create_table(
        "alarm_recipients",
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("added_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("devices", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarms.id"], name=op.f("fk_alarm_recipients_alarm_id_alarms")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_alarm_recipients_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_recipients")),
        sa.UniqueConstraint("alarm_id", "person_id", name=op.f("uq_alarm_recipients_alarm_id")),
    )
    with op.batch_alter_table("alarm_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarm_recipients_alarm_id"), ["alarm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarm_recipients_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alarm_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alarm_recipients_person_id"))
        batch_op.drop_index(batch_op.f("ix_alarm_recipients_alarm_id"))

    op.drop_table("alarm_recipients")
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_person_id"))

    op.drop_table("push_subscriptions")
    with op.batch_alter_table("push_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_push_messages_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_push_messages_person_id"))
        batch_op.drop_index("ix_push_messages_kind_ref_id")
        batch_op.drop_index(batch_op.f("ix_push_messages_device_id"))

    op.drop_table("push_messages")
    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
    with op.batch_alter_table("device_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_status_site_id"))

    op.drop_table("device_status")
    with op.batch_alter_table("device_nonces", schema=None) as batch_op:
        batch_op.drop_index("ix_device_nonces_seen_at")

    op.drop_table("device_nonces")
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alarms_state"))
        batch_op.drop_index("ix_alarms_site_id_state")
        batch_op.drop_index(batch_op.f("ix_alarms_scope_path"))

    op.drop_table("alarms")
