import uuid

from sqlalchemy import ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped


class ExerciseExecution(Timestamped, Base):
    """One exercise inside one workout; an exercise appears at most once per workout."""

    __tablename__ = "exercise_execution"

    workout_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workout.id", ondelete="CASCADE"), primary_key=True
    )
    # No ON DELETE: an exercise in use cannot be deleted (exercise_in_use).
    exercise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exercise.id"), primary_key=True, index=True
    )
    position: Mapped[int]
    notes: Mapped[str | None] = mapped_column(String(500))
    # Executions with the same number, adjacent in order, form a superset.
    superset: Mapped[int | None] = mapped_column(SmallInteger)
