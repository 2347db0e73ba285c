"""The read path: a workout's whole tree, or a page of workouts, in one query with the caller's
session check.

Plain columns (no ORM objects), and statements built once so that `core.db.fetch_all` can send
them, compiled once, to the driver (docs/workouts.md).
"""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
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

from ironlog.auth import repository as auth_repository
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.changes import ranges
from ironlog.core.db import AnyRow, ReadSession, UTCDateTime, fetch_all
from ironlog.core.pagination import PageRequest
from ironlog.models import Exercise, ExerciseExecution, Workout, WorkoutSet
from ironlog.workouts import views
from ironlog.workouts.filters import WorkoutFilters


def owned_by(user_id: uuid.UUID | BindParameter[Any]) -> ColumnElement[bool]:
    """The user's workouts: the one ownership filter on workouts, which every domain uses
    (another user's workout is 404)."""
    return Workout.user_id == user_id


def _as_float(column: Any) -> Any:
    """A decimal column read as a float: the API serves JSON numbers, and the driver decodes a
    float much faster than it builds a Decimal (the read path sends rows to the driver as is)."""
    return cast(column, Float).label(column.key)


_FLOATS = {"weight_kg", "distance_m", "rpe"}

# The columns of the read model's shapes (`views`), selected by its field names, in its order.
WORKOUT_COLUMNS = (*(getattr(Workout, field) for field in views.WORKOUT_FIELDS), Workout.version)
EXECUTION_COLUMNS = tuple(getattr(ExerciseExecution, field) for field in views.EXECUTION_FIELDS)
# The exercise's id is the execution's exercise_id.
EXERCISE_COLUMNS = tuple(getattr(Exercise, field) for field in views.EXERCISE_FIELDS[1:])
SET_COLUMNS = tuple(
    _as_float(getattr(WorkoutSet, field)) if field in _FLOATS else getattr(WorkoutSet, field)
    for field in views.SET_FIELDS
)


def _tree_statement() -> Select[*tuple[Any, ...]]:
    """Workouts with their executions, exercises and sets: one row per set (or per empty
    execution, or per empty workout), in display order; the columns `views` folds."""
    return (
        select(*WORKOUT_COLUMNS, *EXECUTION_COLUMNS, *EXERCISE_COLUMNS, *SET_COLUMNS)
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
    .where(Workout.id == bindparam("workout_id"), owned_by(bindparam("user_id")))
    .order_by(ExerciseExecution.position, WorkoutSet.position)
)


# The caller's session checked in the same statement: a read is one round trip.
_ONE_TREE_CHECKED = _ONE_TREE.where(auth_repository.ACTIVE_SESSION)


async def fetch_tree(
    session: ReadSession, *, user_id: uuid.UUID, workout_id: uuid.UUID
) -> Sequence[Sequence[Any]]:
    """One workout's whole tree, in one query; no rows when the user does not own it."""
    return await fetch_all(session, _ONE_TREE, {"workout_id": workout_id, "user_id": user_id})


async def fetch_tree_for(
    session: ReadSession, *, principal: ClaimedPrincipal, workout_id: uuid.UUID
) -> Sequence[Sequence[Any]]:
    """One workout's whole tree with the caller's session check, in one query; no rows when
    the user does not own it or the session has ended."""
    return await fetch_all(
        session, _ONE_TREE_CHECKED, {"workout_id": workout_id, **principal.params()}
    )


_SYNC_TREES = (
    _tree_statement()
    .where(
        owned_by(bindparam("user_id")),
        *ranges.in_range(Workout.change_seq, Workout.id),
    )
    .order_by(Workout.change_seq, Workout.id, ExerciseExecution.position, WorkoutSet.position)
)


async def fetch_trees_for_sync(
    session: ReadSession, *, user_id: uuid.UUID, keys: ranges.KeyRange
) -> Sequence[Sequence[Any]]:
    """The trees of the user's workouts whose last change lies in `keys`, in feed order."""
    return await fetch_all(session, _SYNC_TREES, {"user_id": user_id, **keys.params()})


async def fetch_execution(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID
) -> Sequence[AnyRow]:
    statement = (
        select(*EXECUTION_COLUMNS, *EXERCISE_COLUMNS, *SET_COLUMNS)
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
    owned_by(bindparam("user_id")),
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


_COUNT = select(func.count()).select_from(_FILTERED.subquery()).scalar_subquery()


# The page's trees, each row with the total, the caller's session checked: one round trip.
_PAGE_TREES = (
    _tree_statement()
    .add_columns(_COUNT.label("total"))
    .where(
        auth_repository.ACTIVE_SESSION,
        Workout.id.in_(
            _FILTERED.order_by(Workout.started_at.desc(), Workout.id)
            .limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=Integer))
            .scalar_subquery()
        ),
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


# For an empty page: the total, and whether the session is active.
_TOTAL = select(_COUNT.label("total"), auth_repository.ACTIVE_SESSION.label("active"))


async def list_page(
    session: ReadSession,
    *,
    principal: ClaimedPrincipal,
    filters: WorkoutFilters,
    page: PageRequest,
) -> tuple[Sequence[Sequence[Any]], int] | None:
    """One page of workouts with their trees, newest first (ties by id), and the total count,
    the caller's session checked: one query, and a second when the page is empty. None when
    the session has ended."""
    params = {**_filter_params(principal.user_id, filters), **principal.params()}
    rows = await fetch_all(
        session, _PAGE_TREES, {**params, "limit": page.size, "offset": page.offset}
    )
    if rows:
        return rows, int(rows[0][views.TREE_ROW_WIDTH])
    [(total, active)] = await fetch_all(session, _TOTAL, params)
    return ([], int(total)) if active else None
