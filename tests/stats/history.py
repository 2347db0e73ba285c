"""Build a user's training history as rows, so a test reads like a training log:

    history = History(db, user.id)
    bench = await history.exercise("Bench Press")
    history.workout("2026-11-02T17:00:00Z", minutes=60).add(bench, warmup(60, 10), *sets(3, 100, 5))
    await history.save()

Rows go in through the workouts repository's `insert_trees` and are flushed on the test's session;
the app's requests run in the same transaction, so they see them.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.exercises.names import name_key
from ironlog.models import Exercise, Modality
from ironlog.workouts.repository import insert_trees


@dataclass(frozen=True)
class SetSpec:
    weight_kg: float | None
    reps: int | None
    set_type: str = "normal"
    completed: bool = True
    duration_seconds: int | None = None
    distance_m: float | None = None


def working(weight_kg: float | None, reps: int | None, set_type: str = "normal") -> SetSpec:
    return SetSpec(weight_kg, reps, set_type)


def sets(count: int, weight_kg: float | None, reps: int | None) -> list[SetSpec]:
    """`count` identical normal, completed sets: `*sets(3, 100, 5)` is 3x5 at 100 kg."""
    return [SetSpec(weight_kg, reps) for _ in range(count)]


def warmup(weight_kg: float | None, reps: int | None) -> SetSpec:
    return SetSpec(weight_kg, reps, "warmup")


def skipped(weight_kg: float | None, reps: int | None) -> SetSpec:
    """A planned set that was not done (`completed: false`)."""
    return SetSpec(weight_kg, reps, completed=False)


def timed(seconds: int) -> SetSpec:
    """A set measured in time only (a plank): no weight, no reps."""
    return SetSpec(None, None, duration_seconds=seconds)


def distance(metres: float, seconds: int | None = None) -> SetSpec:
    """A set measured in distance (a run), optionally timed too."""
    return SetSpec(None, None, duration_seconds=seconds, distance_m=metres)


def at(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


@dataclass
class WorkoutSpec:
    id: uuid.UUID
    started_at: datetime
    finished_at: datetime | None
    executions: list[tuple[uuid.UUID, list[SetSpec]]] = field(default_factory=list)

    def add(self, exercise_id: uuid.UUID, *specs: SetSpec) -> "WorkoutSpec":
        self.executions.append((exercise_id, list(specs)))
        return self


class History:
    def __init__(self, db: AsyncSession, user_id: uuid.UUID) -> None:
        self.db = db
        self.user_id = user_id
        self.workouts: list[WorkoutSpec] = []
        self.names: dict[uuid.UUID, str] = {}

    async def exercise(self, name: str) -> uuid.UUID:
        """The system exercise of that name, or else a custom exercise of the user."""
        found = await self.db.scalar(
            select(Exercise.id).where(Exercise.user_id.is_(None), Exercise.name == name)
        )
        if found is not None:
            self.names[found] = name
            return found
        exercise_id = uuid.uuid4()
        self.names[exercise_id] = name
        now = datetime.now(UTC)
        await self.db.execute(
            insert(Exercise).values(
                id=exercise_id,
                user_id=self.user_id,
                name=name,
                name_key=name_key(name),
                body_part="other",
                modality=Modality.BARBELL,
                created_at=now,
                updated_at=now,
            )
        )
        return exercise_id

    def workout(
        self,
        started_at: str | datetime,
        *,
        minutes: float | None = 60,
        workout_id: uuid.UUID | None = None,
    ) -> WorkoutSpec:
        """A workout started at `started_at`; finished after `minutes`, or in progress if None."""
        start = at(started_at)
        finish = None if minutes is None else start + timedelta(minutes=minutes)
        spec = WorkoutSpec(workout_id or uuid.uuid4(), start, finish)
        self.workouts.append(spec)
        return spec

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        now = datetime.now(UTC)
        stamps = {"created_at": now, "updated_at": now}
        workouts, executions, set_rows = [], [], []
        for spec in self.workouts:
            workouts.append(
                {
                    "id": spec.id,
                    "user_id": self.user_id,
                    "name": "Workout",
                    "notes": None,
                    "status": "finished" if spec.finished_at else "in_progress",
                    "started_at": spec.started_at,
                    "finished_at": spec.finished_at,
                    "source": None,
                    "source_key": None,
                    "version": 1,
                    "change_seq": 0,
                    **stamps,
                }
            )
            for position, (exercise_id, specs) in enumerate(spec.executions):
                key = {"workout_id": spec.id, "exercise_id": exercise_id}
                executions.append({**key, "position": position, "notes": None, **stamps})
                set_rows.extend(
                    {
                        "id": uuid.uuid4(),
                        **key,
                        "position": set_position,
                        "set_type": item.set_type,
                        "weight_kg": item.weight_kg,
                        "reps": item.reps,
                        "duration_seconds": item.duration_seconds,
                        "distance_m": item.distance_m,
                        "rpe": None,
                        "rest_seconds": None,
                        "completed": item.completed,
                        "notes": None,
                        **stamps,
                    }
                    for set_position, item in enumerate(specs)
                )
        return {"workouts": workouts, "executions": executions, "sets": set_rows}

    async def save(self) -> dict[str, list[dict[str, Any]]]:
        """Insert the workouts added since the last save; returns the rows inserted."""
        rows = self.rows()
        await insert_trees(self.db, **rows)
        await self.db.flush()
        self.workouts.clear()
        return rows
