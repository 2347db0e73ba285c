"""The read path: a workout's whole tree in one query, a page of workouts in two.

Plain columns (no ORM objects), and statements built once so that `core.db.fetch_all` can send
them, compiled once, to the driver (docs/workouts.md).
"""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Select,
    String,
    Uuid,
    bindparam,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.changes import ranges
from ironlog.core.db import AnyRow, UTCDateTime, fetch_all
from ironlog.core.pagination import PageRequest
from ironlog.models import Exercise, ExerciseExecution, Workout, WorkoutSet
from ironlog.workouts.filters import WorkoutFilters

WORKOUT_COLUMNS = (
    Workout.id,
    Workout.name,
    Workout.notes,
    Workout.status,
    Workout.started_at,
    Workout.finished_at,
    Workout.created_at,
    Workout.updated_at,
    Workout.version,
    Workout.routine_id,
)


EXECUTION_COLUMNS = (
    ExerciseExecution.workout_id,
    ExerciseExecution.exercise_id,
    ExerciseExecution.position,
    ExerciseExecution.notes,
    Exercise.name,
    Exercise.body_part,
    Exercise.modality,
    ExerciseExecution.superset,
)


def _as_float(column: Any) -> Any:
    """A decimal column read as a float: the API serves JSON numbers, and the driver decodes a
    float much faster than it builds a Decimal (the read path sends rows to the driver as is)."""
    return cast(column, Float).label(column.key)


SET_COLUMNS = (
    WorkoutSet.id,
    WorkoutSet.position,
    WorkoutSet.set_type,
    _as_float(WorkoutSet.weight_kg),
    WorkoutSet.reps,
    WorkoutSet.duration_seconds,
    _as_float(WorkoutSet.distance_m),
    _as_float(WorkoutSet.rpe),
    WorkoutSet.rest_seconds,
    WorkoutSet.completed,
    WorkoutSet.notes,
)


def _tree_statement() -> Select[*tuple[Any, ...]]:
    """Workouts with their executions, exercises and sets: one row per set (or per empty
    execution, or per empty workout), in display order."""
    return (
        select(*WORKOUT_COLUMNS, *EXECUTION_COLUMNS[1:], *SET_COLUMNS)
        .outerjoin(ExerciseExecution, ExerciseExecution.workout_id == Workout.id)
        .outerjoin(Exercise, Exercise.id == ExerciseExecution.exercise_id)
        .outerjoin(
            WorkoutSet,
            (WorkoutSet.workout_id == ExerciseExecution.workout_id)
            & (WorkoutSet.exercise_id == ExerciseExecution.exercise_id),
        )
    )


_ONE_TREE = (
    _tree_statement()
    .where(Workout.id == bindparam("workout_id"), Workout.user_id == bindparam("user_id"))
    .order_by(ExerciseExecution.position, WorkoutSet.position)
)


async def fetch_tree(
    session: AsyncSession, *, user_id: uuid.UUID, workout_id: uuid.UUID
) -> Sequence[Sequence[Any]]:
    """One workout's whole tree, in one query; no rows when the user does not own it."""
    return await fetch_all(session, _ONE_TREE, {"workout_id": workout_id, "user_id": user_id})


_SYNC_TREES = (
    _tree_statement()
    .where(
        Workout.user_id == bindparam("user_id"),
        *ranges.in_range(Workout.change_seq, Workout.id),
    )
    .order_by(Workout.change_seq, Workout.id, ExerciseExecution.position, WorkoutSet.position)
)


async def fetch_trees_for_sync(
    session: AsyncSession, *, user_id: uuid.UUID, keys: ranges.KeyRange
) -> Sequence[Sequence[Any]]:
    """The trees of the user's workouts whose last change lies in `keys`, in feed order."""
    return await fetch_all(session, _SYNC_TREES, {"user_id": user_id, **keys.params()})


async def fetch_execution(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID
) -> Sequence[AnyRow]:
    statement = (
        select(*EXECUTION_COLUMNS, *SET_COLUMNS)
        .join(Exercise, Exercise.id == ExerciseExecution.exercise_id)
        .outerjoin(
            WorkoutSet,
            (WorkoutSet.workout_id == ExerciseExecution.workout_id)
            & (WorkoutSet.exercise_id == ExerciseExecution.exercise_id),
        )
        .where(
            ExerciseExecution.workout_id == workout_id,
            ExerciseExecution.exercise_id == exercise_id,
        )
        .order_by(WorkoutSet.position)
    )
    return (await session.execute(statement)).all()


# The list's statements are built once, with every filter optional (a NULL parameter turns it
# off), so they can be compiled once and sent straight to the driver (core.db.fetch_all).
_STATUS = bindparam("status", type_=String)


_FROM = bindparam("from_at", type_=UTCDateTime())


_BEFORE = bindparam("before_at", type_=UTCDateTime())


_EXERCISE = bindparam("exercise_id", type_=Uuid)


_NAME_PATTERN = bindparam("name_pattern", type_=String)


_FILTERED = select(Workout.id).where(
    Workout.user_id == bindparam("user_id"),
    or_(_STATUS.is_(None), Workout.status == _STATUS),
    or_(_FROM.is_(None), Workout.started_at >= _FROM),
    or_(_BEFORE.is_(None), Workout.started_at < _BEFORE),
    or_(
        _EXERCISE.is_(None),
        select(ExerciseExecution.workout_id)
        .where(
            ExerciseExecution.workout_id == Workout.id,
            ExerciseExecution.exercise_id == _EXERCISE,
        )
        .exists(),
    ),
    or_(_NAME_PATTERN.is_(None), func.lower(Workout.name).like(_NAME_PATTERN, escape="\\")),
)


_COUNT = select(func.count()).select_from(_FILTERED.subquery())


_PAGE_TREES = (
    _tree_statement()
    .where(
        Workout.id.in_(
            _FILTERED.order_by(Workout.started_at.desc(), Workout.id)
            .limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=Integer))
            .scalar_subquery()
        )
    )
    .order_by(
        Workout.started_at.desc(), Workout.id, ExerciseExecution.position, WorkoutSet.position
    )
)


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filter_params(user_id: uuid.UUID, filters: WorkoutFilters) -> dict[str, Any]:
    from_at, before_at = filters.started_range()
    return {
        "user_id": user_id,
        "status": filters.status,
        "from_at": from_at,
        "before_at": before_at,
        "exercise_id": filters.exercise_id,
        "name_pattern": _like_pattern(filters.q) if filters.q else None,
    }


async def list_page(
    session: AsyncSession, *, user_id: uuid.UUID, filters: WorkoutFilters, page: PageRequest
) -> tuple[Sequence[Sequence[Any]], int]:
    """One page of workouts with their trees, newest first (ties by id), and the total count:
    two queries whatever the page holds."""
    params = _filter_params(user_id, filters)
    [(total,)] = await fetch_all(session, _COUNT, params)
    if not total:
        return [], 0
    rows = await fetch_all(
        session, _PAGE_TREES, {**params, "limit": page.size, "offset": page.offset}
    )
    return rows, int(total)
