import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped, new_id


class SetType(enum.StrEnum):
    WARMUP = "warmup"
    NORMAL = "normal"
    FAILURE = "failure"
    DROP = "drop"


class WorkoutSet(Timestamped, Base):
    __tablename__ = "workout_set"
    __table_args__ = (
        ForeignKeyConstraint(
            ["workout_id", "exercise_id"],
            ["exercise_execution.workout_id", "exercise_execution.exercise_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("set_type IN ('warmup', 'normal', 'failure', 'drop')", name="set_type"),
        Index(None, "workout_id", "exercise_id", "position"),
        # Statistics and records read only working sets (completed, not warm-up) and only these
        # columns (duration and distance for their records): a partial covering index answers
        # them without touching the table.
        # See docs/stats.md. The WHERE clauses match the queries' text on each database.
        Index(
            "ix_workout_set_working",
            "workout_id",
            "exercise_id",
            "position",
            "weight_kg",
            "reps",
            "duration_seconds",
            "distance_m",
            postgresql_where=text("completed AND set_type <> 'warmup'"),
            sqlite_where=text("completed = 1 AND set_type != 'warmup'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workout_id: Mapped[uuid.UUID]
    exercise_id: Mapped[uuid.UUID]
    position: Mapped[int]
    set_type: Mapped[SetType] = mapped_column(String(16), default=SetType.NORMAL)
    # Floats in Python: the API serves JSON numbers. Weights are rounded to the gram on input
    # (core/units.py) and stored as exact decimals, so 102.058 reads back as 102.058.
    weight_kg: Mapped[float | None] = mapped_column(Numeric(7, 3, asdecimal=False))
    reps: Mapped[int | None]
    duration_seconds: Mapped[int | None]
    distance_m: Mapped[float | None] = mapped_column(Numeric(9, 2, asdecimal=False))
    rpe: Mapped[float | None] = mapped_column(Numeric(3, 1, asdecimal=False))
    rest_seconds: Mapped[int | None]
    completed: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(String(500))
