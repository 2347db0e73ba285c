"""sync change feed: change_seq on routines, routine folders and preferences

Revision ID: 0003_sync_routines
Revises: 0002_sync
Create Date: 2026-12-06 06:00:00.000000+00:00

Plain ALTER TABLE ADD / DROP COLUMN on both databases, as in 0002_sync: SQLite's batch copy
would drop and recreate tables that other tables reference with cascading foreign keys.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_sync_routines"
down_revision: str | None = "0002_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED_TABLES = ("routine_folder", "routine", "user_preferences")


def upgrade() -> None:
    for table in COUNTED_TABLES:
        op.add_column(
            table,
            sa.Column("change_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
        )


def downgrade() -> None:
    for table in reversed(COUNTED_TABLES):
        # SQLite >= 3.35 drops a column in place (Alembic's op.drop_column would copy the table).
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN change_seq"))
