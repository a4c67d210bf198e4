"""sync: stored op results, LWW field stamps, owner of each change-log row

Revision ID: 0004_sync
Revises: 0006_permits
Create Date: 2026-11-28 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.db.base

revision: str = "0004_sync"
down_revision: str | None = "0006_permits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# change-log rows written before this revision: whose record each one is (pull: "own records")
OWNERS = {"person": None, "role_assignment": "person_id", "deputy": "deputy_id"}


def _backfill_owners() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for entity, key in OWNERS.items():
        if key is None:
            value = "entity_id"
        elif sqlite:  # SQLite keeps UUIDs as 32 hex digits, the JSON data has the dashed form
            value = f"replace(json_extract(data, '$.{key}'), '-', '')"
        else:
            value = f"CAST(data->>'{key}' AS uuid)"
        op.execute(f"UPDATE change_log SET owner_id = {value} WHERE entity = '{entity}'")


def upgrade() -> None:
    op.create_table(
        "sync_field_stamps",
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("hlc", sa.String(length=100), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("entity", "entity_id", "field", name=op.f("pk_sync_field_stamps")),
    )
    op.create_table(
        "sync_op_results",
        sa.Column("op_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("hlc", sa.String(length=100), nullable=False),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("server_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", backend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_sync_op_results_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_sync_op_results_person_id_people")
        ),
        sa.PrimaryKeyConstraint("op_id", name=op.f("pk_sync_op_results")),
    )
    with op.batch_alter_table("sync_op_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_op_results_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_op_results_person_id"), ["person_id"], unique=False)

    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_change_log_entity_id_seq", ["entity_id", "seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_log_owner_id"), ["owner_id"], unique=False)
    _backfill_owners()


def downgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_log_owner_id"))
        batch_op.drop_index("ix_change_log_entity_id_seq")
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("sync_op_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_op_results_person_id"))
        batch_op.drop_index(batch_op.f("ix_sync_op_results_device_id"))

    op.drop_table("sync_op_results")
    op.drop_table("sync_field_stamps")
