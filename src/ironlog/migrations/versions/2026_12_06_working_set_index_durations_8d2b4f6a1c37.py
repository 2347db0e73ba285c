"""the working-set index covers duration and distance too (their records)

Revision ID: 8d2b4f6a1c37
Revises: 5c1e8a3f9b20
Create Date: 2026-12-06 04:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2b4f6a1c37"
down_revision: str | None = "5c1e8a3f9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = {
    "postgresql_where": sa.text("completed AND set_type <> 'warmup'"),
    "sqlite_where": sa.text("completed = 1 AND set_type != 'warmup'"),
}


def _recreate(columns: list[str]) -> None:
    with op.batch_alter_table("workout_set", schema=None) as batch_op:
        batch_op.drop_index("ix_workout_set_working", **WHERE)
        batch_op.create_index("ix_workout_set_working", columns, unique=False, **WHERE)


def upgrade() -> None:
    _recreate(
        [
            "workout_id",
            "exercise_id",
            "position",
            "weight_kg",
            "reps",
            "duration_seconds",
            "distance_m",
        ]
    )


def downgrade() -> None:
    _recreate(["workout_id", "exercise_id", "position", "weight_kg", "reps"])
