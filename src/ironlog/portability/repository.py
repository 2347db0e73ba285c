"""Every query of imports and exports."""

import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.exercises import repository as exercise_repository
from ironlog.models import Exercise, ExerciseExecution, Workout, WorkoutSet
from ironlog.workouts import repository as workout_repository

# Result rows of any shape.
Rows = Sequence[Row[*tuple[Any, ...]]]
# Bound parameters per IN list; far below SQLite's and PostgreSQL's limits.
CHUNK = 500


async def visible_exercises(session: AsyncSession, user_id: uuid.UUID) -> Rows:
    """The system library and the user's own exercises: (id, name, modality, user_id,
    search_key)."""
    statement = select(
        Exercise.id, Exercise.name, Exercise.modality, Exercise.user_id, Exercise.search_key
    ).where(exercise_repository.visible_to(user_id))
    return (await session.execute(statement)).all()


async def existing_source_keys(
    session: AsyncSession, user_id: uuid.UUID, keys: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which (source, source_key) pairs the user's workouts already have."""
    wanted = list(keys)
    found: set[tuple[str, str]] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        statement = select(Workout.source, Workout.source_key).where(
            workout_repository.owned_by(user_id),
            tuple_(Workout.source, Workout.source_key).in_(chunk),
        )
        found.update(
            (source, key) for source, key in await session.execute(statement) if source and key
        )
    return found


async def existing_workout_ids(
    session: AsyncSession, user_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    wanted = list(ids)
    found: set[uuid.UUID] = set()
    for start in range(0, len(wanted), CHUNK):
        statement = select(Workout.id).where(
            workout_repository.owned_by(user_id), Workout.id.in_(wanted[start : start + CHUNK])
        )
        found.update(await session.scalars(statement))
    return found


async def own_exercises(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Exercise]:
    statement = (
        select(Exercise).where(exercise_repository.owned_by(user_id)).order_by(Exercise.name)
    )
    return (await session.scalars(statement)).all()


WORKOUT_COLUMNS = (
    Workout.id,
    Workout.name,
    Workout.notes,
    Workout.status,
    Workout.started_at,
    Workout.finished_at,
    Workout.source,
    Workout.source_key,
    Workout.routine_id,
    Workout.created_at,
    Workout.updated_at,
)


async def workout_batches(
    session: AsyncSession, user_id: uuid.UUID, size: int
) -> AsyncIterator[Rows]:
    """The user's workouts, oldest first, `size` at a time (keyset on started_at, id)."""
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        statement = (
            select(*WORKOUT_COLUMNS)
            .where(workout_repository.owned_by(user_id))
            .order_by(Workout.started_at, Workout.id)
            .limit(size)
        )
        if after is not None:
            statement = statement.where(
                or_(
                    Workout.started_at > after[0],
                    and_(Workout.started_at == after[0], Workout.id > after[1]),
                )
            )
        rows = (await session.execute(statement)).all()
        if not rows:
            return
        yield rows
        after = (rows[-1].started_at, rows[-1].id)


async def executions_of(session: AsyncSession, workout_ids: Sequence[uuid.UUID]) -> Rows:
    """Executions with their exercise, ordered by workout and position."""
    statement = (
        select(
            ExerciseExecution.workout_id,
            *workout_repository.EXECUTION_COLUMNS,
            *workout_repository.EXERCISE_COLUMNS,
        )
        .join(Exercise, Exercise.id == ExerciseExecution.exercise_id)
        .where(ExerciseExecution.workout_id.in_(workout_ids))
        .order_by(ExerciseExecution.workout_id, ExerciseExecution.position)
    )
    return (await session.execute(statement)).all()


async def sets_of(session: AsyncSession, workout_ids: Sequence[uuid.UUID]) -> Rows:
    statement = (
        select(WorkoutSet.workout_id, WorkoutSet.exercise_id, *workout_repository.SET_COLUMNS)
        .where(WorkoutSet.workout_id.in_(workout_ids))
        .order_by(WorkoutSet.workout_id, WorkoutSet.exercise_id, WorkoutSet.position)
    )
    return (await session.execute(statement)).all()


async def refresh_planner_statistics(session: AsyncSession) -> None:
    """PostgreSQL: ANALYZE the tables an import fills, inside its transaction (the rows it wrote
    count), so the planner stops treating them as empty. It takes no lock that blocks reads or
    writes. Nothing to do on SQLite, whose foreign-key checks always use the indexes."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.exec_driver_sql(
            "ANALYZE workout, exercise_execution, workout_set, execution_summary, exercise_summary"
        )
