"""Changes to workouts, executions and sets, and what the rules read just before them."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Uuid,
    bindparam,
    case,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.changes import record as changes
from ironlog.changes import summaries
from ironlog.core.clock import utc_now
from ironlog.core.db import AnyRow, Batch, fetch_all, insert_led, insert_tables
from ironlog.exercises import repository as exercise_repository
from ironlog.models import (
    ExecutionSummary,
    Exercise,
    ExerciseExecution,
    ExerciseSummary,
    Workout,
    WorkoutSet,
    WorkoutStatus,
)
from ironlog.workouts import views
from ironlog.workouts.repository.reads import SET_COLUMNS, owned_by


@dataclass(frozen=True, slots=True)
class WorkoutState:
    """What the rules need to know about a workout before changing it."""

    id: uuid.UUID
    status: WorkoutStatus
    version: int
    started_at: datetime
    finished_at: datetime | None


_STATE = select(
    Workout.id, Workout.status, Workout.version, Workout.started_at, Workout.finished_at
).where(Workout.id == bindparam("workout_id"), owned_by(bindparam("user_id")))


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
    """Record a change to the workout or its tree: bump the version (the ETag) and updated_at,
    and take the owner's next change number for the sync feed. The statistics' summaries of
    the workout follow its tree and start (every change to a tree ends here)."""
    owner = select(Workout.user_id).where(Workout.id == workout_id).scalar_subquery()
    seq = await changes.next_seq(session, owner)
    await session.execute(
        update(Workout)
        .where(Workout.id == workout_id)
        .values(version=Workout.version + 1, updated_at=utc_now(), change_seq=seq, **values)
    )
    await summaries.refresh(session, [workout_id])


async def delete_workout(session: AsyncSession, user_id: uuid.UUID, workout_id: uuid.UUID) -> None:
    # The change number first: its lock on the user's row serialises the user's summary
    # rewrites. Executions and sets go with the workout (ON DELETE CASCADE); its summaries first.
    await changes.record_delete(session, user_id=user_id, entity="workout", entity_ids=[workout_id])
    await summaries.remove(session, [workout_id])
    await session.execute(delete(Workout).where(Workout.id == workout_id))


_VISIBLE_EXERCISES = select(*(getattr(Exercise, field) for field in views.EXERCISE_FIELDS)).where(
    Exercise.id.in_(bindparam("exercise_ids", expanding=True)),
    exercise_repository.visible_to(bindparam("user_id")),
)


# PostgreSQL: the exercises of a new tree (`exercise_ids`, distinct) are all visible to the user,
# checked by the statement that inserts it, which also returns their fields for the body.
_TREE_EXERCISES = (
    select(*(getattr(Exercise, field) for field in views.EXERCISE_FIELDS))
    .where(
        Exercise.id == func.any(bindparam("exercise_ids", type_=postgresql.ARRAY(Uuid()))),
        exercise_repository.visible_to(bindparam("user_id")),
    )
    .cte("tree_exercises")
)
_ALL_VISIBLE = select(func.count()).select_from(_TREE_EXERCISES).scalar_subquery() == bindparam(
    "exercise_count"
)
_TREE_EXERCISES_JSON = (
    select(func.json_agg(func.json_build_array(*_TREE_EXERCISES.c)))
    .select_from(_TREE_EXERCISES)
    .scalar_subquery()
)


def _all_visible(exercise_ids: Sequence[uuid.UUID]) -> changes.Condition:
    return changes.Condition(
        _ALL_VISIBLE,
        {"exercise_ids": list(exercise_ids), "exercise_count": len(exercise_ids)},
        (_TREE_EXERCISES_JSON,),
    )


def _exercises_by_id(rows: Sequence[Sequence[Any]]) -> dict[uuid.UUID, dict[str, Any]]:
    """`_TREE_EXERCISES_JSON`'s rows (ids as text) as `visible_exercises` gives them."""
    exercises = {}
    for exercise_id, *fields in rows:
        key = uuid.UUID(exercise_id)
        exercises[key] = dict(zip(views.EXERCISE_FIELDS, (key, *fields), strict=True))
    return exercises


def is_exercise_gone(error: IntegrityError) -> bool:
    """Whether a write referenced an exercise that no longer exists: one a concurrent
    transaction deleted after the write had found it visible, before the write's foreign-key
    check. PostgreSQL names the constraint (`fk_<table>_exercise_id_exercise`); on SQLite
    writers take the database's lock in turn, so the write sees the delete and never gets here.
    """
    return "_exercise_id_exercise" in str(error.orig)


def is_owner_gone(error: IntegrityError) -> bool:
    """Whether a new workout's tree, inserted ahead of its change number (`insert_new_workout`),
    found no workout: the owner's row, which the statement's check had seen, was deleted (the
    account) before the number could be taken, so the workout was not inserted. PostgreSQL
    names the constraint (`fk_<table>_workout_id_workout`)."""
    return "_workout_id_workout" in str(error.orig)


async def visible_exercises(
    session: AsyncSession, *, user_id: uuid.UUID, exercise_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """The exercises among `exercise_ids` the user can see (system or own), by id, with the
    fields the read model embeds."""
    if not exercise_ids:
        return {}
    rows = await fetch_all(
        session, _VISIBLE_EXERCISES, {"exercise_ids": list(set(exercise_ids)), "user_id": user_id}
    )
    return {row[0]: dict(zip(views.EXERCISE_FIELDS, row, strict=True)) for row in rows}


async def insert_trees(
    session: AsyncSession,
    *,
    workouts: Sequence[dict[str, Any]],
    executions: Sequence[dict[str, Any]],
    sets: Sequence[dict[str, Any]],
) -> None:
    """Insert whole workout trees as plain rows: one statement on PostgreSQL (one executemany
    per table elsewhere), whatever the size.

    Rows are dicts of column values, `created_at` and `updated_at` included; callers build them
    (the create route, the importer), so no ORM object is made per set. New workouts come whole
    (their executions and sets in the same call): their statistics' summaries are written here.
    Executions and sets added to an existing workout are summarised by the `touch` that follows.
    """
    await insert_tables(
        session, [(Workout, workouts), (ExerciseExecution, executions), (WorkoutSet, sets)]
    )
    if workouts:
        await summaries.refresh(session, [row["id"] for row in workouts], new=True)


@dataclass(frozen=True, slots=True)
class NewWorkout:
    change_seq: int
    # The tree's exercises by id, with the fields the read model embeds.
    exercises: Mapping[uuid.UUID, Mapping[str, Any]]


async def insert_new_workout(
    session: AsyncSession,
    *,
    workout: dict[str, Any],
    executions: Sequence[dict[str, Any]],
    sets: Sequence[dict[str, Any]],
    exercises: Mapping[uuid.UUID, Mapping[str, Any]] | None = None,
    only_if: changes.Condition | None = None,
) -> NewWorkout | None:
    """Insert a new workout with its tree and its statistics' summaries, under the owner's
    next change number (stored in `workout["change_seq"]`), taken only if `only_if` holds and
    every exercise of the tree (distinct) is visible to the owner: None, and nothing written,
    when not. `exercises`: the tree's exercises, known visible already (a routine's); else
    they are checked here and returned.

    The number locks the owner's row until the commit (`changes.record`), and every create
    of the user queues on that lock, so what runs under it is kept short: on PostgreSQL the
    exercises' check, the number, the tree and both summaries are ONE statement
    (`core.db.insert_led`, `summaries.merge_on_conflict`), and then only `COMMIT` (none when
    the statement runs alone, `core.db.write_in_one_statement`). The executions, the sets and
    their summaries go in ahead of the number, before its lock; under it are the workout, the
    exercise summaries (other writes of the user lock those after the number: taken before,
    the two would wait on each other), the foreign keys' checks and the commit. The execution
    summaries are computed here from the rows, not read back from the sets.
    """
    dialect = session.get_bind().dialect  # asking for the connection would begin the session
    user_id = workout["user_id"]
    summary_rows = summaries.new_execution_rows(workout, sets)
    exercise_ids = [row["exercise_id"] for row in executions]
    if dialect.name == "postgresql":
        if exercises is None:
            visible = _all_visible(exercise_ids)
            only_if = visible if only_if is None else only_if & visible
        lead = changes.next_seq_lead(dialect, user_id, only_if)
        taken = await insert_led(
            session,
            lead,
            [
                Batch(Workout, [workout]),
                Batch(ExerciseExecution, executions, ahead=True),
                Batch(WorkoutSet, sets, ahead=True),
                Batch(ExecutionSummary, summary_rows, ahead=True),
                Batch(
                    ExerciseSummary,
                    summaries.exercise_rows(summary_rows),
                    summaries.merge_on_conflict(dialect),
                ),
            ],
        )
        if taken is None:
            return None
        seq = taken[0]
        if exercises is None:
            exercises = _exercises_by_id(taken[1] or ())
    else:
        if exercises is None:
            exercises = await visible_exercises(session, user_id=user_id, exercise_ids=exercise_ids)
            if len(exercises) != len(exercise_ids):
                return None
        seq = await changes.next_seq_if(session, user_id, only_if)
        if seq is None:
            return None
        workout["change_seq"] = seq
        tree = [(Workout, [workout]), (ExerciseExecution, executions), (WorkoutSet, sets)]
        await insert_tables(session, [*tree, (ExecutionSummary, summary_rows)])
        if summary_rows:
            await summaries.merge_new(session, user_id, [workout["id"]])
    workout["change_seq"] = seq
    return NewWorkout(int(seq), exercises)


async def delete_tree(session: AsyncSession, workout_id: uuid.UUID) -> None:
    await session.execute(
        delete(ExerciseExecution).where(ExerciseExecution.workout_id == workout_id)
    )


async def execution_position(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID
) -> int | None:
    return await session.scalar(
        select(ExerciseExecution.position).where(
            ExerciseExecution.workout_id == workout_id,
            ExerciseExecution.exercise_id == exercise_id,
        )
    )


async def execution_supersets(
    session: AsyncSession, workout_id: uuid.UUID
) -> dict[uuid.UUID, int | None]:
    """The workout's exercise ids in position order, each with its superset number."""
    statement = (
        select(ExerciseExecution.exercise_id, ExerciseExecution.superset)
        .where(ExerciseExecution.workout_id == workout_id)
        .order_by(ExerciseExecution.position)
    )
    return {row.exercise_id: row.superset for row in await session.execute(statement)}


async def next_execution_position(session: AsyncSession, workout_id: uuid.UUID) -> int:
    statement = select(func.coalesce(func.max(ExerciseExecution.position) + 1, 0)).where(
        ExerciseExecution.workout_id == workout_id
    )
    return int(await session.scalar(statement) or 0)


async def update_execution(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID, values: dict[str, Any]
) -> None:
    await session.execute(
        update(ExerciseExecution)
        .where(
            ExerciseExecution.workout_id == workout_id,
            ExerciseExecution.exercise_id == exercise_id,
        )
        .values(**values, updated_at=utc_now())
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


def _set_key(workout_id: uuid.UUID, exercise_id: uuid.UUID) -> tuple[Any, ...]:
    return (WorkoutSet.workout_id == workout_id, WorkoutSet.exercise_id == exercise_id)


async def get_set(
    session: AsyncSession, workout_id: uuid.UUID, exercise_id: uuid.UUID, set_id: uuid.UUID
) -> AnyRow | None:
    statement = select(*SET_COLUMNS).where(
        WorkoutSet.id == set_id, *_set_key(workout_id, exercise_id)
    )
    return (await session.execute(statement)).first()


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
