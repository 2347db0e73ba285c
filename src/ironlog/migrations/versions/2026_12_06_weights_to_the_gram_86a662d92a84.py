"""weights to the gram: workout_set.weight_kg NUMERIC(6,2) -> NUMERIC(7,3)

Revision ID: 86a662d92a84
Revises: 9d4b7e2c1a63
Create Date: 2026-12-06 04:30:00.000000+00:00

Every stored weight keeps its value (two decimals fit in three). The partial index that covers
the weight is dropped and made again around the change, so that SQLite's table copy (batch
mode) cannot lose its WHERE clause. Downgrading rounds weights back to two decimals.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "86a662d92a84"
down_revision: str | None = "9d4b7e2c1a63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORKING_INDEX = "ix_workout_set_working"


def _change_weight(old: sa.Numeric[float], new: sa.Numeric[float]) -> None:
    with op.batch_alter_table("workout_set", schema=None) as batch_op:
        batch_op.drop_index(WORKING_INDEX)
    with op.batch_alter_table("workout_set", schema=None) as batch_op:
        batch_op.alter_column("weight_kg", existing_type=old, type_=new, existing_nullable=True)
    with op.batch_alter_table("workout_set", schema=None) as batch_op:
        batch_op.create_index(
            WORKING_INDEX,
            ["workout_id", "exercise_id", "position", "weight_kg", "reps"],
            unique=False,
            postgresql_where=sa.text("completed AND set_type <> 'warmup'"),
            sqlite_where=sa.text("completed = 1 AND set_type != 'warmup'"),
        )


def upgrade() -> None:
    _change_weight(
        sa.Numeric(precision=6, scale=2, asdecimal=False),
        sa.Numeric(precision=7, scale=3, asdecimal=False),
    )


def downgrade() -> None:
    # NUMERIC(6,2) rounds on PostgreSQL; SQLite stores what it is given, so round there first.
    op.execute("UPDATE workout_set SET weight_kg = round(weight_kg, 2) WHERE weight_kg IS NOT NULL")
    _change_weight(
        sa.Numeric(precision=7, scale=3, asdecimal=False),
        sa.Numeric(precision=6, scale=2, asdecimal=False),
    )
