"""Every query on workouts, executions and sets.

The read path selects plain columns (no ORM objects) and fetches a workout's whole tree in one
query, so the number of queries per request never grows with the number of sets.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Select,
    String,
    Uuid,
    bindparam,
    case,
    cast,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.core.db import AnyRow, UTCDateTime, fetch_all, insert_rows
from ironlog.core.pagination import PageRequest
from ironlog.models import Exercise, ExerciseExecution, Workout, WorkoutSet, WorkoutStatus

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
)
EXECUTION_COLUMNS = (
    ExerciseExecution.workout_id,
    ExerciseExecution.exercise_id,
    ExerciseExecution.position,
    ExerciseExecution.notes,
    Exercise.name,
    Exercise.body_part,
    Exercise.modality,
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


@dataclass(frozen=True, slots=True)
class WorkoutState:
    """What the rules need to know about a workout before changing it."""

    id: uuid.UUID
    status: WorkoutStatus
    version: int
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class WorkoutFilters:
    status: WorkoutStatus | None = None
    from_date: date | None = None
    to_date: date | None = None
    exercise_id: uuid.UUID | None = None
    q: str | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


_STATE = select(
    Workout.id, Workout.status, Workout.version, Workout.started_at, Workout.finished_at
).where(Workout.id == bindparam("workout_id"), Workout.user_id == bindparam("user_id"))
_LOCKED_STATE = _STATE.with_for_update()


async def get_state(
    session: AsyncSession, *, user_id: uuid.UUID, workout_id: uuid.UUID, lock: bool = False
) -> WorkoutState | None:
    """The workout's state if the user owns it. `lock` takes its row lock for the transaction,
    so concurrent changes to one workout run one after the other (PostgreSQL; SQLite
    transactions are serial already)."""
    connection = await session.connection()
    result = await connection.execute(
        _LOCKED_STATE if lock else _STATE, {"workout_id": workout_id, "user_id": user_id}
    )
    row = result.first()
    return WorkoutState(*row) if row else None


async def exists(session: AsyncSession, workout_id: uuid.UUID) -> bool:
    found = await session.scalar(select(Workout.id).where(Workout.id == workout_id))
    return found is not None


async def touch(session: AsyncSession, workout_id: uuid.UUID, **values: Any) -> None:
    """Record a change to the workout or its tree: bump the version (the ETag) and updated_at."""
    await session.execute(
        update(Workout)
        .where(Workout.id == workout_id)
        .values(version=Workout.version + 1, updated_at=utc_now(), **values)
    )


async def delete_workout(session: AsyncSession, workout_id: uuid.UUID) -> None:
    # Executions and sets go with it (ON DELETE CASCADE).
    await session.execute(delete(Workout).where(Workout.id == workout_id))


_VISIBLE_EXERCISES = select(
    Exercise.id, Exercise.name, Exercise.body_part, Exercise.modality
).where(
    Exercise.id.in_(bindparam("exercise_ids", expanding=True)),
    (Exercise.user_id.is_(None)) | (Exercise.user_id == bindparam("user_id")),
)


async def visible_exercises(
    session: AsyncSession, *, user_id: uuid.UUID, exercise_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[Any, ...]]:
    """The exercises among `exercise_ids` the user can see (system or own), by id, as
    (id, name, body_part, modality)."""
    if not exercise_ids:
        return {}
    rows = await fetch_all(
        session, _VISIBLE_EXERCISES, {"exercise_ids": list(set(exercise_ids)), "user_id": user_id}
    )
    return {row[0]: tuple(row) for row in rows}


async def insert_trees(
    session: AsyncSession,
    *,
    workouts: Sequence[dict[str, Any]],
    executions: Sequence[dict[str, Any]],
    sets: Sequence[dict[str, Any]],
) -> None:
    """Insert whole workout trees as plain rows: one executemany per table, whatever the size.

    Rows are dicts of column values, `created_at` and `updated_at` included; callers build them
    (the create route, the importer), so no ORM object is made per set.
    """
    for model, rows in ((Workout, workouts), (ExerciseExecution, executions), (WorkoutSet, sets)):
        await insert_rows(session, model, rows)


async def delete_tree(session: AsyncSession, workout_id: uuid.UUID) -> None:
    await session.execute(
        delete(ExerciseExecution).where(ExerciseExecution.workout_id == workout_id)
    )


# Executions.


async def execution_position(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID
) -> int | None:
    return await session.scalar(
        select(ExerciseExecution.position).where(
            ExerciseExecution.workout_id == workout_id,
            ExerciseExecution.exercise_id == exercise_id,
        )
    )


async def execution_ids(session: AsyncSession, workout_id: uuid.UUID) -> list[uuid.UUID]:
    statement = (
        select(ExerciseExecution.exercise_id)
        .where(ExerciseExecution.workout_id == workout_id)
        .order_by(ExerciseExecution.position)
    )
    return list((await session.scalars(statement)).all())


async def next_execution_position(session: AsyncSession, workout_id: uuid.UUID) -> int:
    statement = select(func.coalesce(func.max(ExerciseExecution.position) + 1, 0)).where(
        ExerciseExecution.workout_id == workout_id
    )
    return int(await session.scalar(statement) or 0)


async def update_execution_notes(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID, notes: str | None
) -> None:
    await session.execute(
        update(ExerciseExecution)
        .where(
            ExerciseExecution.workout_id == workout_id,
            ExerciseExecution.exercise_id == exercise_id,
        )
        .values(notes=notes, updated_at=utc_now())
    )


async def delete_execution(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID, position: int
) -> None:
    """Remove an execution (its sets cascade) and close up the positions after it."""
    await session.execute(
        delete(ExerciseExecution).where(
            ExerciseExecution.workout_id == workout_id,
            ExerciseExecution.exercise_id == exercise_id,
        )
    )
    await session.execute(
        update(ExerciseExecution)
        .where(ExerciseExecution.workout_id == workout_id, ExerciseExecution.position > position)
        .values(position=ExerciseExecution.position - 1)
    )


async def reorder_executions(
    session: AsyncSession, workout_id: uuid.UUID, exercise_ids: Sequence[uuid.UUID]
) -> None:
    """Give each execution its index in `exercise_ids` as position, in one statement."""
    if not exercise_ids:  # a workout without exercises: nothing to move (and CASE needs a WHEN)
        return
    new_position = case(
        {exercise_id: index for index, exercise_id in enumerate(exercise_ids)},
        value=ExerciseExecution.exercise_id,
    )
    await session.execute(
        update(ExerciseExecution)
        .where(ExerciseExecution.workout_id == workout_id)
        .values(position=new_position)
    )


# Sets.


def _set_key(workout_id: uuid.UUID, exercise_id: uuid.UUID) -> tuple[Any, ...]:
    return (WorkoutSet.workout_id == workout_id, WorkoutSet.exercise_id == exercise_id)


async def next_set_position(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID
) -> int | None:
    """The position a new set of the execution takes; None when the execution does not exist."""
    statement = (
        select(func.coalesce(func.max(WorkoutSet.position) + 1, 0))
        .select_from(ExerciseExecution)
        .outerjoin(
            WorkoutSet,
            (WorkoutSet.workout_id == ExerciseExecution.workout_id)
            & (WorkoutSet.exercise_id == ExerciseExecution.exercise_id),
        )
        .where(
            ExerciseExecution.workout_id == workout_id,
            ExerciseExecution.exercise_id == exercise_id,
        )
        .group_by(ExerciseExecution.exercise_id)
    )
    position = await session.scalar(statement)
    return None if position is None else int(position)


async def delete_sets(session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID) -> None:
    await session.execute(delete(WorkoutSet).where(*_set_key(workout_id, exercise_id)))


async def get_set(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID, set_id: uuid.UUID
) -> AnyRow | None:
    statement = select(*SET_COLUMNS).where(
        WorkoutSet.id == set_id, *_set_key(workout_id, exercise_id)
    )
    return (await session.execute(statement)).first()


async def update_set(session: AsyncSession, set_id: uuid.UUID, values: dict[str, Any]) -> None:
    await session.execute(
        update(WorkoutSet).where(WorkoutSet.id == set_id).values(**values, updated_at=utc_now())
    )


async def delete_set(
    session: AsyncSession,
    workout_id: uuid.UUID,
    exercise_id: uuid.UUID,
    set_id: uuid.UUID,
    position: int,
) -> None:
    await session.execute(delete(WorkoutSet).where(WorkoutSet.id == set_id))
    await session.execute(
        update(WorkoutSet)
        .where(*_set_key(workout_id, exercise_id), WorkoutSet.position > position)
        .values(position=WorkoutSet.position - 1)
    )


# The read path.


def _tree_statement() -> Select[Any]:
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
    return {
        "user_id": user_id,
        "status": filters.status,
        "from_at": _start_of(filters.from_date) if filters.from_date else None,
        "before_at": _start_of(filters.to_date + timedelta(days=1)) if filters.to_date else None,
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
