import uuid

from sqlalchemy import ForeignKey, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped


class RoutineExercise(Timestamped, Base):
    """One exercise of a routine; an exercise appears at most once per routine."""

    __tablename__ = "routine_exercise"

    routine_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("routine.id", ondelete="CASCADE"), primary_key=True
    )
    # No ON DELETE: an exercise used by a routine cannot be deleted (exercise_in_use).
    exercise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exercise.id"), primary_key=True, index=True
    )
    position: Mapped[int]
    notes: Mapped[str | None] = mapped_column(String(500))
    rest_seconds: Mapped[int | None]
    superset: Mapped[int | None] = mapped_column(SmallInteger)
    # Progression: raise the target weights by this much once every working set reached its
    # target (null: no progression).
    increment_kg: Mapped[float | None] = mapped_column(Numeric(7, 3, asdecimal=False))
