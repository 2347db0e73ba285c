"""Writing a history straight into the database (the workouts API is another package's)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.exercises.names import name_key
from ironlog.models import Exercise
from ironlog.workouts import repository as workout_repository


@dataclass
class SetSpec:
    set_type: str = "normal"
    weight_kg: float | None = None
    reps: int | None = 5
    duration_seconds: int | None = None
    distance_m: float | None = None
    rpe: float | None = None
    rest_seconds: int | None = None
    completed: bool = True
    notes: str | None = None


@dataclass
class ExecutionSpec:
    exercise: str  # a system exercise's name, or a custom one (created for the user)
    notes: str | None = None
    sets: list[SetSpec] = field(default_factory=list)
    custom: tuple[str, str] | None = None  # (body_part, modality) of a custom exercise


@dataclass
class WorkoutSpec:
    name: str
    started_at: datetime
    length: timedelta | None = None
    notes: str | None = None
    executions: list[ExecutionSpec] = field(default_factory=list)


async def insert_history(db: AsyncSession, user_id: uuid.UUID, workouts: list[WorkoutSpec]) -> None:
    now = utc_now()
    stamps = {"created_at": now, "updated_at": now}
    exercise_ids: dict[str, uuid.UUID] = {}
    rows: dict[str, list[dict[str, Any]]] = {"workouts": [], "executions": [], "sets": []}
    for workout in workouts:
        workout_id = uuid.uuid4()
        finished_at = workout.started_at + workout.length if workout.length is not None else None
        rows["workouts"].append(
            {
                "id": workout_id,
                "user_id": user_id,
                "name": workout.name,
                "notes": workout.notes,
                "status": "finished" if finished_at else "in_progress",
                "started_at": workout.started_at,
                "finished_at": finished_at,
                "source": None,
                "source_key": None,
                "version": 1,
                "change_seq": 0,
                **stamps,
            }
        )
        for position, execution in enumerate(workout.executions):
            exercise_id = await _exercise_id(db, user_id, execution, exercise_ids)
            rows["executions"].append(
                {
                    "workout_id": workout_id,
                    "exercise_id": exercise_id,
                    "position": position,
                    "notes": execution.notes,
                    **stamps,
                }
            )
            rows["sets"].extend(
                {
                    "id": uuid.uuid4(),
                    "workout_id": workout_id,
                    "exercise_id": exercise_id,
                    "position": set_position,
                    **vars(item),
                    **stamps,
                }
                for set_position, item in enumerate(execution.sets)
            )
    await workout_repository.insert_trees(db, **rows)
    await db.commit()


async def _exercise_id(
    db: AsyncSession, user_id: uuid.UUID, execution: ExecutionSpec, known: dict[str, uuid.UUID]
) -> uuid.UUID:
    if execution.exercise in known:
        return known[execution.exercise]
    if execution.custom is None:
        exercise_id = await db.scalar(
            select(Exercise.id).where(
                Exercise.user_id.is_(None), Exercise.name_key == name_key(execution.exercise)
            )
        )
        assert exercise_id is not None, execution.exercise
    else:
        exercise_id = uuid.uuid4()
        body_part, modality = execution.custom
        await db.execute(
            insert(Exercise),
            [
                {
                    "id": exercise_id,
                    "user_id": user_id,
                    "name": execution.exercise,
                    "name_key": name_key(execution.exercise),
                    "body_part": body_part,
                    "modality": modality,
                    "description": None,
                    "created_at": utc_now(),
                    "updated_at": utc_now(),
                }
            ],
        )
    known[execution.exercise] = exercise_id
    return exercise_id
