"""sync change feed: per-user change counter, change_seq on synced tables, tombstones

Revision ID: 0002_sync
Revises: 0002_routines
Create Date: 2026-12-06 04:20:00.000000+00:00

Plain ALTER TABLE ADD / DROP COLUMN on both databases, never SQLite's batch copy: copying
`app_user` would drop the old table, and its ON DELETE CASCADE would empty every user's data.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_sync"
down_revision: str | None = "0002_routines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED_TABLES = ("app_user", "workout", "exercise", "body_measurement")


def upgrade() -> None:
    for table in COUNTED_TABLES:
        op.add_column(
            table,
            sa.Column("change_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
        )
    op.create_index(
        op.f("ix_workout_user_id_change_seq"), "workout", ["user_id", "change_seq"], unique=False
    )
    op.create_table(
        "sync_tombstone",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_sync_tombstone_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "entity", "entity_id", name=op.f("pk_sync_tombstone")),
    )
    op.create_index(op.f("ix_sync_tombstone_deleted_at"), "sync_tombstone", ["deleted_at"])
    op.create_index(
        op.f("ix_sync_tombstone_user_id_change_seq"), "sync_tombstone", ["user_id", "change_seq"]
    )


def downgrade() -> None:
    op.drop_table("sync_tombstone")
    op.drop_index(op.f("ix_workout_user_id_change_seq"), table_name="workout")
    for table in reversed(COUNTED_TABLES):
        # SQLite >= 3.35 drops a column in place (Alembic's op.drop_column would copy the table).
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN change_seq"))
