import uuid

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped
from ironlog.models.workout_set import SetType


class RoutineSet(Timestamped, Base):
    """A target set of a routine's exercise, keyed by its position."""

    __tablename__ = "routine_set"
    __table_args__ = (
        ForeignKeyConstraint(
            ["routine_id", "exercise_id"],
            ["routine_exercise.routine_id", "routine_exercise.exercise_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("set_type IN ('warmup', 'normal', 'failure', 'drop')", name="set_type"),
        CheckConstraint("rep_min <= rep_max", name="rep_range"),
    )

    routine_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    exercise_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    set_type: Mapped[SetType] = mapped_column(String(16), default=SetType.NORMAL)
    weight_kg: Mapped[float | None] = mapped_column(Numeric(7, 3, asdecimal=False))
    reps: Mapped[int | None]
    rep_min: Mapped[int | None]
    rep_max: Mapped[int | None]
    duration_seconds: Mapped[int | None]
    distance_m: Mapped[float | None] = mapped_column(Numeric(9, 2, asdecimal=False))
    rpe: Mapped[float | None] = mapped_column(Numeric(3, 1, asdecimal=False))
