"""statistics' summaries: execution_summary and exercise_summary, filled from the sets

Revision ID: 7e3a9c5b2d41
Revises: 4b7e1f0c9a2d
Create Date: 2026-12-08 09:00:00.000000+00:00

Statistics and records read these summaries instead of every set (docs/stats.md); the app keeps
them in every write (`ironlog.changes.summaries`). This migration creates them and fills them
from the existing sets with the same definitions, in plain SQL that both databases run (a frozen
copy: migrations import nothing of the app; tests/stats/test_summaries.py checks the result
against the app's own refresh).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7e3a9c5b2d41"
down_revision: str | None = "4b7e1f0c9a2d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GRAMS = "CAST(ROUND({} * 1000) AS BIGINT)"
_WORKING = "{0}.completed AND {0}.set_type <> 'warmup'"

FILL_EXECUTIONS = f"""
INSERT INTO execution_summary (workout_id, exercise_id, user_id, started_at, sets, reps,
    volume_grams, weight_grams, weight_reps, e1rm_hundredths, max_reps, set_volume_grams,
    duration_seconds, distance_mm)
SELECT g.workout_id, g.exercise_id, g.user_id, g.started_at, g.sets, g.reps, g.volume_grams,
    g.weight_grams,
    (SELECT h.reps FROM workout_set h
     WHERE h.workout_id = g.workout_id AND h.exercise_id = g.exercise_id
       AND {_WORKING.format("h")} AND {_GRAMS.format("h.weight_kg")} = g.weight_grams
     ORDER BY h.position LIMIT 1),
    g.e1rm_hundredths, g.max_reps, g.set_volume_grams, g.duration_seconds, g.distance_mm
FROM (
    SELECT s.workout_id, s.exercise_id, w.user_id, w.started_at, COUNT(*) AS sets,
        COALESCE(SUM(s.reps), 0) AS reps,
        COALESCE(SUM(s.g * s.reps), 0) AS volume_grams,
        MAX(CASE WHEN s.g > 0 THEN s.g END) AS weight_grams,
        (MAX(CASE WHEN s.g > 0 AND s.reps = 1 THEN s.g * 30
                  WHEN s.g > 0 AND s.reps BETWEEN 2 AND 12 THEN s.g * (s.reps + 30) END)
         + 150) / 300 AS e1rm_hundredths,
        MAX(CASE WHEN s.reps > 0 THEN s.reps END) AS max_reps,
        MAX(CASE WHEN s.g > 0 AND s.reps > 0 THEN s.g * s.reps END) AS set_volume_grams,
        MAX(CASE WHEN s.duration_seconds > 0 THEN s.duration_seconds END) AS duration_seconds,
        MAX(CASE WHEN s.distance_m > 0 THEN {_GRAMS.format("s.distance_m")} END) AS distance_mm
    FROM (SELECT workout_set.*, {_GRAMS.format("weight_kg")} AS g FROM workout_set
          WHERE {_WORKING.format("workout_set")}) s
    JOIN workout w ON w.id = s.workout_id
    GROUP BY s.workout_id, s.exercise_id, w.user_id, w.started_at
) g
"""  # noqa: S608 (built from constants)

_METRICS = (
    ("weight_grams", "weight_at"),
    ("e1rm_hundredths", "e1rm_at"),
    ("max_reps", "reps_at"),
    ("set_volume_grams", "volume_at"),
    ("duration_seconds", "duration_at"),
    ("distance_mm", "distance_at"),
)
_BEST = ", ".join(f"MAX(e.{value}) AS {value}" for value, _ in _METRICS)
_AT = ", ".join(
    f"MIN(CASE WHEN h.{value} = b.{value} THEN h.started_at END) AS {at}" for value, at in _METRICS
)
_VALUES = ", ".join(f"b.{value}" for value, _ in _METRICS)
_RECORD_COLUMNS = ", ".join(f"r.{value}, r.{at}" for value, at in _METRICS)

FILL_EXERCISES = f"""
INSERT INTO exercise_summary (user_id, exercise_id, sets, reps, volume_grams,
    weight_grams, weight_at, e1rm_hundredths, e1rm_at, max_reps, reps_at, set_volume_grams,
    volume_at, duration_seconds, duration_at, distance_mm, distance_at, weight_reps)
SELECT r.user_id, r.exercise_id, r.sets, r.reps, r.volume_grams, {_RECORD_COLUMNS},
    (SELECT f.weight_reps FROM execution_summary f
     WHERE f.user_id = r.user_id AND f.exercise_id = r.exercise_id
       AND f.started_at = r.weight_at AND f.weight_grams = r.weight_grams
     ORDER BY f.workout_id LIMIT 1)
FROM (
    SELECT b.user_id, b.exercise_id, b.sets, b.reps, b.volume_grams, {_VALUES}, {_AT}
    FROM (
        SELECT e.user_id, e.exercise_id, SUM(e.sets) AS sets, SUM(e.reps) AS reps,
            SUM(e.volume_grams) AS volume_grams, {_BEST}
        FROM execution_summary e GROUP BY e.user_id, e.exercise_id
    ) b
    JOIN execution_summary h ON h.user_id = b.user_id AND h.exercise_id = b.exercise_id
    GROUP BY b.user_id, b.exercise_id, b.sets, b.reps, b.volume_grams, {_VALUES}
) r
"""  # noqa: S608 (built from constants)


def upgrade() -> None:
    op.create_table(
        "execution_summary",
        sa.Column("workout_id", sa.Uuid(), nullable=False),
        sa.Column("exercise_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=False),
        sa.Column("reps", sa.BigInteger(), nullable=False),
        sa.Column("volume_grams", sa.BigInteger(), nullable=False),
        sa.Column("weight_grams", sa.BigInteger(), nullable=True),
        sa.Column("weight_reps", sa.Integer(), nullable=True),
        sa.Column("e1rm_hundredths", sa.BigInteger(), nullable=True),
        sa.Column("max_reps", sa.Integer(), nullable=True),
        sa.Column("set_volume_grams", sa.BigInteger(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("distance_mm", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercise.id"],
            name=op.f("fk_execution_summary_exercise_id_exercise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workout_id"],
            ["workout.id"],
            name=op.f("fk_execution_summary_workout_id_workout"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workout_id", "exercise_id", name=op.f("pk_execution_summary")),
    )
    op.create_index(
        op.f("ix_execution_summary_user_id_started_at"),
        "execution_summary",
        ["user_id", "started_at"],
    )
    op.create_index(
        op.f("ix_execution_summary_user_id_exercise_id_started_at"),
        "execution_summary",
        ["user_id", "exercise_id", "started_at"],
    )
    op.create_table(
        "exercise_summary",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("exercise_id", sa.Uuid(), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=False),
        sa.Column("reps", sa.BigInteger(), nullable=False),
        sa.Column("volume_grams", sa.BigInteger(), nullable=False),
        sa.Column("weight_grams", sa.BigInteger(), nullable=True),
        sa.Column("weight_reps", sa.Integer(), nullable=True),
        sa.Column("weight_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("e1rm_hundredths", sa.BigInteger(), nullable=True),
        sa.Column("e1rm_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_reps", sa.Integer(), nullable=True),
        sa.Column("reps_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("set_volume_grams", sa.BigInteger(), nullable=True),
        sa.Column("volume_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("duration_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("distance_mm", sa.BigInteger(), nullable=True),
        sa.Column("distance_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercise.id"],
            name=op.f("fk_exercise_summary_exercise_id_exercise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_exercise_summary_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "exercise_id", name=op.f("pk_exercise_summary")),
    )
    op.execute(FILL_EXECUTIONS)
    op.execute(FILL_EXERCISES)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE execution_summary, exercise_summary")


def downgrade() -> None:
    op.drop_table("exercise_summary")
    op.drop_index(
        op.f("ix_execution_summary_user_id_exercise_id_started_at"),
        table_name="execution_summary",
    )
    op.drop_index(op.f("ix_execution_summary_user_id_started_at"), table_name="execution_summary")
    op.drop_table("execution_summary")
