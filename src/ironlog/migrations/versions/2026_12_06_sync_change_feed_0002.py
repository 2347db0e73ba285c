"""sync change feed: per-user change counter, change_seq on synced tables, tombstones

Revision ID: 0002_sync
Revises: 0001
Create Date: 2026-12-06 04:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_sync"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNCED_TABLES = ("workout", "exercise")


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("change_seq", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    for table in SYNCED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("change_seq", sa.Integer(), server_default=sa.text("0"), nullable=False)
            )
    with op.batch_alter_table("workout", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workout_user_id_change_seq"), ["user_id", "change_seq"]
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
    with op.batch_alter_table("sync_tombstone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_tombstone_deleted_at"), ["deleted_at"])
        batch_op.create_index(
            batch_op.f("ix_sync_tombstone_user_id_change_seq"), ["user_id", "change_seq"]
        )


def downgrade() -> None:
    op.drop_table("sync_tombstone")
    with op.batch_alter_table("workout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workout_user_id_change_seq"))
    for table in reversed(SYNCED_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("change_seq")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("change_seq")
