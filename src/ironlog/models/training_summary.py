"""Summaries of the working sets, kept in the transaction that writes the sets (docs/stats.md).

Statistics and records read these instead of every set: `ExecutionSummary` has one row per
workout and exercise with at least one working set, `ExerciseSummary` one row per user and
exercise over the whole history. Both are derived data: `ironlog.changes.summaries` rewrites
the rows a write touches from the sets themselves, and a test recomputes them from scratch after
random writes. Weights, volumes and distances are integers (grams, millimetres).
"""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base


class ExecutionSummary(Base):
    """The working sets of one exercise in one workout: totals and best values.

    `user_id` and `started_at` are the workout's, copied so that a user's rows in a period are
    one index range (a change of `started_at` rewrites them)."""

    __tablename__ = "execution_summary"
    __table_args__ = (
        Index(None, "user_id", "started_at"),
        Index(None, "user_id", "exercise_id", "started_at"),
    )

    workout_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workout.id", ondelete="CASCADE"), primary_key=True
    )
    exercise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exercise.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID]
    started_at: Mapped[datetime]
    sets: Mapped[int]
    reps: Mapped[int] = mapped_column(BigInteger)
    volume_grams: Mapped[int] = mapped_column(BigInteger)
    # The heaviest positive weight, and the reps of the first set (by position) that lifted it.
    weight_grams: Mapped[int | None] = mapped_column(BigInteger)
    weight_reps: Mapped[int | None]
    # The best Epley estimate rounded half up to hundredths of a kilogram (10 g).
    e1rm_hundredths: Mapped[int | None] = mapped_column(BigInteger)
    max_reps: Mapped[int | None]
    set_volume_grams: Mapped[int | None] = mapped_column(BigInteger)
    duration_seconds: Mapped[int | None]
    distance_mm: Mapped[int | None] = mapped_column(BigInteger)


class ExerciseSummary(Base):
    """A user's working sets of one exercise over the whole history: totals, records and the
    `started_at` of the first workout that holds each record."""

    __tablename__ = "exercise_summary"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    exercise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exercise.id", ondelete="CASCADE"), primary_key=True
    )
    sets: Mapped[int]
    reps: Mapped[int] = mapped_column(BigInteger)
    volume_grams: Mapped[int] = mapped_column(BigInteger)
    weight_grams: Mapped[int | None] = mapped_column(BigInteger)
    weight_reps: Mapped[int | None]
    weight_at: Mapped[datetime | None]
    # The workout whose reps `weight_reps` shows: the first (by start, then id) to hold the
    # heaviest weight. A create merges a tie at the same start with it, in its one statement.
    weight_workout_id: Mapped[uuid.UUID | None]
    e1rm_hundredths: Mapped[int | None] = mapped_column(BigInteger)
    e1rm_at: Mapped[datetime | None]
    max_reps: Mapped[int | None]
    reps_at: Mapped[datetime | None]
    set_volume_grams: Mapped[int | None] = mapped_column(BigInteger)
    volume_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None]
    duration_at: Mapped[datetime | None]
    distance_mm: Mapped[int | None] = mapped_column(BigInteger)
    distance_at: Mapped[datetime | None]
