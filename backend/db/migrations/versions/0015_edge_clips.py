"""edge clips: the video an edge node uploads for its own alarm

Revision ID: 0015_edge_clips
Revises: 0014_analytics
Create Date: 2026-11-28 15:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision: str = "0015_edge_clips"
down_revision: str | None = "0014_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alarm_clips",
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("received_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["alarm_id"], ["alarms.id"], name=op.f("fk_alarm_clips_alarm_id_alarms")),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_alarm_clips_device_id_devices")),
        sa.PrimaryKeyConstraint("alarm_id", name=op.f("pk_alarm_clips")),
    )


def downgrade() -> None:
    op.drop_table("alarm_clips")
