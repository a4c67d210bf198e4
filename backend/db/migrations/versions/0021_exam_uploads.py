"""exam uploads: resumable, chunked uploads of practical-exam recordings

Revision ID: 0021_exam_uploads
Revises: 0019_analytics_daily
Create Date: 2026-11-28 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision: str = "0021_exam_uploads"
down_revision: str | None = "0019_analytics_daily"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Offset = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "exam_uploads",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", Offset, nullable=False),
        sa.Column("received", Offset, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_exam_uploads_person_id_people")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_exam_uploads_created_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_uploads")),
    )
    with op.batch_alter_table("exam_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exam_uploads_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exam_uploads_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("exam_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exam_uploads_expires_at"))
        batch_op.drop_index(batch_op.f("ix_exam_uploads_person_id"))
    op.drop_table("exam_uploads")
