"""alarm routing: a recipient may stand in (B角) for someone marked away

Revision ID: 0018_alarm_routing
Revises: 0017_wearables
Create Date: 2026-11-28 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_alarm_routing"
down_revision: str | None = "0017_wearables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alarm_recipients") as batch:
        batch.add_column(sa.Column("stands_in_for", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_alarm_recipients_stands_in_for_people"), "people", ["stands_in_for"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("alarm_recipients") as batch:
        batch.drop_constraint(op.f("fk_alarm_recipients_stands_in_for_people"), type_="foreignkey")
        batch.drop_column("stands_in_for")
