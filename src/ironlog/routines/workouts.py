"""Between routines and workouts: starting a workout from a routine (targets and progression,
docs/routines.md) and saving a workout as a routine."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.db import ReadSession
from ironlog.core.units import round_to_gram
from ironlog.models import SetType
from ironlog.routines import progression, repository, service
from ironlog.routines.schemas import (
    RoutineCreate,
    RoutineExerciseWrite,
    RoutineSetWrite,
    SaveAsRoutine,
    StartRoutine,
)
from ironlog.workouts import repository as workout_repository
from ironlog.workouts import service as workout_service
from ironlog.workouts import views as workout_views
from ironlog.workouts.errors import WorkoutNotFound
from ironlog.workouts.schemas import ExecutionWrite, SetWrite, WorkoutCreate

JsonDict = dict[str, Any]


def _started_execution(exercise: JsonDict, last: Sequence[Any] | None) -> ExecutionWrite:
    weights = progression.target_weights(exercise, last)
    sets = [
        SetWrite.model_construct(
            set_type=SetType(routine_set["set_type"]),
            weight_kg=weight,
            reps=progression.target_reps(routine_set),
            duration_seconds=routine_set["duration_seconds"],
            distance_m=routine_set["distance_m"],
            rpe=routine_set["rpe"],
            rest_seconds=exercise["rest_seconds"],
            completed=False,
            notes=None,
        )
        for routine_set, weight in zip(exercise["sets"], weights, strict=True)
    ]
    return ExecutionWrite.model_construct(
        exercise_id=exercise["exercise_id"],
        notes=exercise["notes"],
        superset=exercise["superset"],
        sets=sets,
    )


async def routine_to_start(
    session: ReadSession, *, user_id: uuid.UUID, routine_id: uuid.UUID
) -> JsonDict:
    """The caller's routine as `start` copies it; another user's is `RoutineNotFound`."""
    return (await service.get(session, user_id=user_id, routine_id=routine_id)).body


async def start(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    routine_id: uuid.UUID,
    routine: JsonDict,
    data: StartRoutine | None,
) -> workout_service.WorkoutView:
    """A workout in progress with the routine's targets (docs/routines.md): a constant number
    of queries whatever the routine's size. `routine` comes from `routine_to_start`."""
    last: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in await repository.last_sets(session, user_id=user_id, routine_id=routine_id):
        last[row["exercise_id"]].append(row)
    workout = WorkoutCreate.model_construct(
        id=data.id if data else None,
        name=routine["name"],
        notes=None,
        started_at=data.started_at if data else None,
        exercises=[
            _started_execution(exercise, last.get(exercise["exercise_id"]))
            for exercise in routine["exercises"]
        ],
    )
    # The routine's exercises are visible to its owner (one in use cannot be deleted) and
    # distinct (its key): the workout's create needs not check them again.
    exercises = {exercise["exercise_id"]: exercise["exercise"] for exercise in routine["exercises"]}
    return await workout_service.create(
        session, user_id=user_id, data=workout, routine_id=routine_id, exercises=exercises
    )


def _rest_seconds(sets: Sequence[JsonDict]) -> int | None:
    """An exercise's rest: that of its first working set that has one, else of any set."""
    for candidates in ([s for s in sets if s["set_type"] != SetType.WARMUP], sets):
        for item in candidates:
            if item["rest_seconds"] is not None:
                return int(item["rest_seconds"])
    return None


def _routine_exercise(execution: JsonDict) -> RoutineExerciseWrite:
    sets = execution["sets"]
    return RoutineExerciseWrite.model_construct(
        exercise_id=execution["exercise_id"],
        notes=execution["notes"],
        rest_seconds=_rest_seconds(sets),
        superset=execution["superset"],
        progression=None,
        sets=[
            RoutineSetWrite.model_construct(
                set_type=SetType(item["set_type"]),
                weight_kg=None if item["weight_kg"] is None else round_to_gram(item["weight_kg"]),
                reps=item["reps"],
                rep_range=None,
                duration_seconds=item["duration_seconds"],
                distance_m=item["distance_m"],
                rpe=item["rpe"],
            )
            for item in sets
        ],
    )


async def workout_to_save(
    session: ReadSession, *, user_id: uuid.UUID, workout_id: uuid.UUID
) -> JsonDict:
    """The caller's workout as `save_workout` copies it; another user's is `WorkoutNotFound`."""
    rows = await workout_repository.fetch_tree(session, user_id=user_id, workout_id=workout_id)
    if not rows:
        raise WorkoutNotFound()
    [(workout, _version)] = workout_views.trees_from_rows(rows)
    return workout


async def save_workout(
    session: AsyncSession, *, user_id: uuid.UUID, workout: JsonDict, data: SaveAsRoutine
) -> service.RoutineView:
    """A new routine from the workout's exercises and sets: every set (done or not) becomes a
    target with its weight, reps, time, distance and RPE. `workout` comes from
    `workout_to_save`."""
    routine = RoutineCreate.model_construct(
        id=None,
        name=data.name,
        notes=None,
        folder_id=data.folder_id,
        exercises=[_routine_exercise(execution) for execution in workout["exercises"]],
    )
    return await service.create(session, user_id=user_id, data=routine)
