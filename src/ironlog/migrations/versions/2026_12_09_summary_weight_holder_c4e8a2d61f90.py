"""exercise summary: the workout holding the heaviest weight

Revision ID: c4e8a2d61f90
Revises: 7e3a9c5b2d41
Create Date: 2026-12-09 09:00:00.000000+00:00

Adds `exercise_summary.weight_workout_id`, the workout whose reps `weight_reps` shows (the first,
by start and then id, to reach the heaviest weight), and fills it from `execution_summary` with
the lookup that chose `weight_reps`. With it, a new workout that ties the heaviest weight at the
same start merges into the stored row without reading the other workouts' rows, so a create is
one statement (docs/stats.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e8a2d61f90"
down_revision: str | None = "7e3a9c5b2d41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL_HOLDERS = """
UPDATE exercise_summary SET weight_workout_id = (
    SELECT f.workout_id FROM execution_summary f
    WHERE f.user_id = exercise_summary.user_id AND f.exercise_id = exercise_summary.exercise_id
      AND f.started_at = exercise_summary.weight_at
      AND f.weight_grams = exercise_summary.weight_grams
    ORDER BY f.workout_id LIMIT 1)
WHERE weight_grams IS NOT NULL
"""


def upgrade() -> None:
    op.add_column("exercise_summary", sa.Column("weight_workout_id", sa.Uuid(), nullable=True))
    op.execute(FILL_HOLDERS)


def downgrade() -> None:
    with op.batch_alter_table("exercise_summary") as batch:
        batch.drop_column("weight_workout_id")
