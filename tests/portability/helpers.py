"""Uploading files and re-reading what an import stored."""

import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import Exercise, ExerciseExecution, Workout, WorkoutSet
from tests.conftest import UserHandle

FILES = Path(__file__).parent / "files"
IMPORTS = "/api/v1/imports"
EXPORT = "/api/v1/export"


async def upload(
    client: httpx.AsyncClient,
    user: UserHandle,
    file: str | bytes,
    *,
    filename: str = "export.csv",
    **fields: str,
) -> httpx.Response:
    """POST /imports with a file of tests/portability/files (by name) or the given bytes."""
    if isinstance(file, str):
        filename, content = file, (FILES / file).read_bytes()
    else:
        content = file
    return await client.post(
        IMPORTS, files={"file": (filename, content)}, data=fields, headers=user.headers
    )


async def count_workouts(db: AsyncSession, user_id: uuid.UUID) -> int:
    return await db.scalar(select(func.count()).where(Workout.user_id == user_id)) or 0


async def count_sets(db: AsyncSession, user_id: uuid.UUID) -> int:
    statement = (
        select(func.count())
        .select_from(WorkoutSet)
        .join(Workout, Workout.id == WorkoutSet.workout_id)
        .where(Workout.user_id == user_id)
    )
    return await db.scalar(statement) or 0


async def count_own_exercises(db: AsyncSession, user_id: uuid.UUID) -> int:
    return await db.scalar(select(func.count()).where(Exercise.user_id == user_id)) or 0


async def stored_workouts(db: AsyncSession, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """The user's workouts, oldest first, as plain trees (exercise names, positions, set values)."""
    workouts = (
        await db.scalars(
            select(Workout).where(Workout.user_id == user_id).order_by(Workout.started_at)
        )
    ).all()
    trees = []
    for workout in workouts:
        executions = (
            await db.execute(
                select(ExerciseExecution, Exercise)
                .join(Exercise, Exercise.id == ExerciseExecution.exercise_id)
                .where(ExerciseExecution.workout_id == workout.id)
                .order_by(ExerciseExecution.position)
            )
        ).all()
        tree = {
            "name": workout.name,
            "notes": workout.notes,
            "status": workout.status,
            "started_at": workout.started_at,
            "finished_at": workout.finished_at,
            "source": workout.source,
            "source_key": workout.source_key,
            "exercises": [],
        }
        for execution, exercise in executions:
            sets = (
                await db.scalars(
                    select(WorkoutSet)
                    .where(
                        WorkoutSet.workout_id == workout.id,
                        WorkoutSet.exercise_id == exercise.id,
                    )
                    .order_by(WorkoutSet.position)
                )
            ).all()
            tree["exercises"].append(
                {
                    "name": exercise.name,
                    "modality": exercise.modality,
                    "body_part": exercise.body_part,
                    "system": exercise.user_id is None,
                    "position": execution.position,
                    "notes": execution.notes,
                    "sets": [_set(item) for item in sets],
                }
            )
        trees.append(tree)
    return trees


def _set(item: WorkoutSet) -> dict[str, Any]:
    return {
        "position": item.position,
        "set_type": item.set_type,
        "weight_kg": item.weight_kg,
        "reps": item.reps,
        "duration_seconds": item.duration_seconds,
        "distance_m": item.distance_m,
        "rpe": item.rpe,
        "rest_seconds": item.rest_seconds,
        "completed": item.completed,
        "notes": item.notes,
    }


def values(sets: list[dict[str, Any]], *fields: str) -> list[tuple[Any, ...]]:
    return [tuple(item[field] for field in fields) for item in sets]
