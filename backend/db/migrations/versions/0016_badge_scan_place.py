"""badge scans: the device's position accuracy and the picked permit

Revision ID: 0016_badge_scan_place
Revises: 0015_edge_clips
Create Date: 2026-11-28 15:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_badge_scan_place"
down_revision: str | None = "0015_edge_clips"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("badge_scans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accuracy", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("permit_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_badge_scans_permit_id"), ["permit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("badge_scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_badge_scans_permit_id"))
        batch_op.drop_column("permit_id")
        batch_op.drop_column("accuracy")
