"""imported zeros are null: a Strong or FitNotes set with a time or a distance keeps only those

Revision ID: 679f7ce8a9e5
Revises: 86a662d92a84
Create Date: 2026-12-06 04:40:00.000000+00:00

Strong and FitNotes write 0 in the weight and reps columns of a timed or distance set (a plank,
a run). Earlier imports stored those zeros; the importer now stores null, and this migration
does the same to what is stored. The rule, exactly: in a workout whose `source` is `strong` or
`fitnotes`, a set with `duration_seconds > 0` or `distance_m > 0` gets a null `weight_kg` where it
is 0 and a null `reps` where it is 0. Workouts made in IronLog (`source` null) and other sources
are untouched. The changed sets and their workouts get a new `updated_at`, and the workouts a
new version (so their ETag changes).

The downgrade changes no data: the old code reads these nulls fine, and which nulls were zeros
is no longer known.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "679f7ce8a9e5"
down_revision: str | None = "86a662d92a84"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES = ("strong", "fitnotes")

workout = sa.table(
    "workout",
    sa.column("id", sa.Uuid()),
    sa.column("source", sa.String()),
    sa.column("version", sa.Integer()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
workout_set = sa.table(
    "workout_set",
    sa.column("workout_id", sa.Uuid()),
    sa.column("weight_kg", sa.Numeric()),
    sa.column("reps", sa.Integer()),
    sa.column("duration_seconds", sa.Integer()),
    sa.column("distance_m", sa.Numeric()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _affected_sets() -> sa.ColumnElement[bool]:
    imported = sa.select(workout.c.id).where(workout.c.source.in_(SOURCES))
    return sa.and_(
        workout_set.c.workout_id.in_(imported),
        sa.or_(workout_set.c.duration_seconds > 0, workout_set.c.distance_m > 0),
        sa.or_(workout_set.c.weight_kg == 0, workout_set.c.reps == 0),
    )


def upgrade() -> None:
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":  # stored as naive UTC there
        now = now.replace(tzinfo=None)
    affected_workouts = sa.select(workout_set.c.workout_id).where(_affected_sets())
    op.execute(
        workout.update()
        .where(workout.c.id.in_(affected_workouts))
        .values(version=workout.c.version + 1, updated_at=now)
    )
    op.execute(
        workout_set.update()
        .where(_affected_sets())
        .values(
            weight_kg=sa.case((workout_set.c.weight_kg == 0, None), else_=workout_set.c.weight_kg),
            reps=sa.case((workout_set.c.reps == 0, None), else_=workout_set.c.reps),
            updated_at=now,
        )
    )


def downgrade() -> None:
    pass
