"""badges: badge photos and the scan log

Revision ID: 0009_badges
Revises: 0008_registry
Create Date: 2026-11-28 14:18:22.352447
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.base

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "0009_badges"
down_revision: str | None = "0008_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "badge_photos",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("jpeg", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_badge_photos_person_id_people")),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["people.id"], name=op.f("fk_badge_photos_uploaded_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_photos")),
        sa.UniqueConstraint("person_id", name=op.f("uq_badge_photos_person_id")),
    )
    op.create_table(
        "badge_scans",
        sa.Column("inspector_id", sa.Uuid(), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=True),
        sa.Column("scope_path", sa.String(length=400), nullable=False),
        sa.Column("scanned_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("work_type", sa.String(length=40), nullable=True),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("server_verdict", sa.String(length=8), nullable=False),
        sa.Column(
            "server_reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("kid", sa.String(length=16), nullable=True),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", backend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["people.id"], name=op.f("fk_badge_scans_inspector_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_scans")),
    )
    with op.batch_alter_table("badge_scans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_badge_scans_inspector_id"), ["inspector_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_badge_scans_scope_path"), ["scope_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_badge_scans_worker_id"), ["worker_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("badge_scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_badge_scans_worker_id"))
        batch_op.drop_index(batch_op.f("ix_badge_scans_scope_path"))
        batch_op.drop_index(batch_op.f("ix_badge_scans_inspector_id"))

    op.drop_table("badge_scans")
    op.drop_table("badge_photos")
