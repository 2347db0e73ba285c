"""The workout rules: trees, positions, finished protection, versions.

Every change goes through a workout locked by `dependencies.get_locked_workout` and ends with
`repository.touch`, which bumps the version behind the ETag.
"""

import dataclasses
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import service as auth_service
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.core.clock import utc_now
from ironlog.core.db import ReadSession, write_in_one_statement
from ironlog.core.errors import InvalidField
from ironlog.core.pagination import PageRequest, page_dict
from ironlog.models import WorkoutStatus
from ironlog.models.base import new_id
from ironlog.workouts import repository, supersets, views
from ironlog.workouts.errors import (
    DuplicateExercise,
    ExecutionNotFound,
    ExerciseAlreadyInWorkout,
    InvalidOrder,
    SetNotFound,
    UnknownExercise,
    WorkoutExists,
    WorkoutFinished,
    WorkoutNotFound,
)
from ironlog.workouts.filters import WorkoutFilters
from ironlog.workouts.repository import WorkoutState
from ironlog.workouts.schemas import (
    ExecutionPatch,
    ExecutionWrite,
    FinishRequest,
    ReorderRequest,
    SetPatch,
    SetWrite,
    WorkoutCreate,
    WorkoutPatch,
    WorkoutReplace,
)
from ironlog.workouts.views import JsonDict

MEASURES = ("reps", "duration_seconds", "distance_m")


@dataclass(frozen=True, slots=True)
class WorkoutView:
    body: JsonDict
    etag: str


def _ensure_open(workout: WorkoutState) -> None:
    if workout.status == WorkoutStatus.FINISHED:
        raise WorkoutFinished()


async def _read(session: AsyncSession, user_id: uuid.UUID, workout_id: uuid.UUID) -> WorkoutView:
    rows = await repository.fetch_tree(session, user_id=user_id, workout_id=workout_id)
    if not rows:
        raise WorkoutNotFound()
    [(body, version)] = views.trees_from_rows(rows)
    return WorkoutView(body, views.etag(workout_id, version))


# Trees.


def _check_distinct(executions: Sequence[ExecutionWrite]) -> list[uuid.UUID]:
    """The exercise ids of a tree, each once."""
    exercise_ids = [execution.exercise_id for execution in executions]
    if len(set(exercise_ids)) != len(exercise_ids):
        raise DuplicateExercise()
    return exercise_ids


async def _visible_exercises(
    session: AsyncSession, user_id: uuid.UUID, executions: Sequence[ExecutionWrite]
) -> Mapping[uuid.UUID, Mapping[str, Any]]:
    """The exercises of a tree, checked: each once, each visible to the user."""
    exercise_ids = _check_distinct(executions)
    exercises = await repository.visible_exercises(
        session, user_id=user_id, exercise_ids=exercise_ids
    )
    if len(exercises) != len(exercise_ids):
        raise UnknownExercise()
    return exercises


def _set_values(data: SetWrite) -> dict[str, Any]:
    # The validated fields as they are (a set has no nested model and no serializer): ten
    # times cheaper than `model_dump`, once per set of every write.
    return dict(data.__dict__)


def _set_rows(
    workout_id: uuid.UUID,
    exercise_id: uuid.UUID,
    sets: Sequence[SetWrite],
    now: datetime,
    first_position: int = 0,
) -> list[dict[str, Any]]:
    return [
        {
            "id": new_id(),
            "workout_id": workout_id,
            "exercise_id": exercise_id,
            "position": first_position + index,
            **_set_values(data),
            "created_at": now,
            "updated_at": now,
        }
        for index, data in enumerate(sets)
    ]


def _execution_row(
    workout_id: uuid.UUID, position: int, data: ExecutionWrite, now: datetime
) -> dict[str, Any]:
    return {
        "workout_id": workout_id,
        "exercise_id": data.exercise_id,
        "position": position,
        "notes": data.notes,
        "superset": data.superset,
        "created_at": now,
        "updated_at": now,
    }


def _execution_view(
    row: dict[str, Any], exercise: Mapping[str, Any], set_rows: list[dict[str, Any]]
) -> JsonDict:
    """The execution that was inserted, as the read model shows it."""
    return views.execution_json(row, exercise, [views.set_json(values) for values in set_rows])


def _tree_rows(
    workout_id: uuid.UUID, executions: Sequence[ExecutionWrite], now: datetime
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """A workout's executions and, per execution, its sets, as rows to insert."""
    execution_rows = [
        _execution_row(workout_id, position, execution, now)
        for position, execution in enumerate(executions)
    ]
    set_rows = [
        _set_rows(workout_id, execution.exercise_id, execution.sets, now)
        for execution in executions
    ]
    return execution_rows, set_rows


@contextmanager
def _exercises_still_there() -> Iterator[None]:
    """A write whose exercises were found visible, then deleted by a concurrent transaction
    before its foreign-key check: the same 422 as an exercise that was never there."""
    try:
        yield
    except IntegrityError as error:
        if repository.is_exercise_gone(error):
            raise UnknownExercise() from error
        raise


async def _insert_tree(
    session: AsyncSession,
    workout_id: uuid.UUID,
    executions: Sequence[ExecutionWrite],
    now: datetime,
) -> None:
    """Insert the executions and sets of an existing workout (its exercises checked)."""
    execution_rows, set_rows = _tree_rows(workout_id, executions, now)
    with _exercises_still_there():
        await repository.insert_trees(
            session, workouts=[], executions=execution_rows, sets=list(chain(*set_rows))
        )


# Workouts.


async def get(
    session: ReadSession, *, principal: ClaimedPrincipal, workout_id: uuid.UUID
) -> WorkoutView:
    """The workout, the caller's session checked by the same statement: one round trip. When
    nothing came back, the refusal checks the session first (`auth.dependencies.Reader`): an
    ended session is 401, a missing or foreign workout 404."""
    rows = await repository.fetch_tree_for(session, principal=principal, workout_id=workout_id)
    if not rows:
        raise WorkoutNotFound()
    [(body, version)] = views.trees_from_rows(rows)
    return WorkoutView(body, views.etag(workout_id, version))


async def list_workouts(
    session: ReadSession,
    *,
    principal: ClaimedPrincipal,
    filters: WorkoutFilters,
    page: PageRequest,
) -> JsonDict:
    if filters.from_date is not None or filters.to_date is not None:
        # The dates are local to the user's time zone.
        calendar = await auth_service.get_calendar(session, user_id=principal.user_id)
        filters = dataclasses.replace(filters, calendar=calendar)
    rows, total = auth_service.checked(
        await repository.list_page(session, principal=principal, filters=filters, page=page)
    )
    items = [body for body, _version in views.trees_from_rows(rows)]
    return page_dict(items, total, page)


async def create(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    data: WorkoutCreate,
    routine_id: uuid.UUID | None = None,
    exercises: Mapping[uuid.UUID, Mapping[str, Any]] | None = None,
    unchecked: ClaimedPrincipal | None = None,
) -> WorkoutView:
    """A new workout in progress with its tree; `routine_id` when started from a routine, whose
    `exercises` (id, name, body_part, modality) are known visible and distinct already.

    `unchecked`: the caller, whose session has not been checked yet. The statement that takes
    the change number checks it before anything is written, with the tree's exercises (on
    PostgreSQL), so the checks cost no round trip of their own; when it refuses, one query
    tells an unknown exercise from an ended session. Any refusal runs the session check first
    (`before_refusal`), so an ended session is a 401 whatever the body.
    """
    supersets.check([execution.superset for execution in data.exercises], whole=True)
    _check_distinct(data.exercises)
    now = utc_now()
    workout_id = data.id or new_id()
    started_at, finished_at = data.times(now)
    if finished_at is not None and finished_at < started_at:  # a finished_at before "now"
        raise InvalidField(["body", "finished_at"], "finished_at must not be before started_at")
    # Everything is written in one statement (on PostgreSQL). Alone, it is a transaction of
    # its own, and a taken id is its unique violation (nothing written); in the unit's
    # transaction a violation would end the transaction, so the id is looked up first.
    alone = write_in_one_statement(session)
    if data.id is not None and not alone and await repository.exists(session, data.id):
        raise WorkoutExists()
    workout_row = {
        "id": workout_id,
        "user_id": user_id,
        "name": data.name,
        "notes": data.notes,
        "status": data.status,
        "started_at": started_at,
        "finished_at": finished_at,
        "routine_id": routine_id,
        "source": None,
        "source_key": None,
        "version": 1,
        "change_seq": None,  # taken by the insert
        "created_at": now,
        "updated_at": now,
    }
    execution_rows, set_rows = _tree_rows(workout_id, data.exercises, now)
    try:
        with _exercises_still_there():
            created = await repository.insert_new_workout(
                session,
                workout=workout_row,
                executions=execution_rows,
                sets=list(chain(*set_rows)),
                exercises=exercises,
                only_if=auth_service.active_session(unchecked) if unchecked else None,
            )
    except IntegrityError as error:
        if repository.is_owner_gone(error):  # the account was deleted meanwhile
            raise auth_service.session_ended() from error
        if data.id is not None:  # a concurrent create took the same id first
            raise WorkoutExists() from error
        raise
    if created is None:  # refused: an exercise the user cannot use, or the session ended
        if data.id is not None and alone and await repository.exists(session, data.id):
            raise WorkoutExists()  # as it would have been found first in a transaction
        if exercises is None:
            await _visible_exercises(session, user_id, data.exercises)
        raise auth_service.session_ended()
    execution_views = [
        _execution_view(row, created.exercises[row["exercise_id"]], rows)
        for row, rows in zip(execution_rows, set_rows, strict=True)
    ]
    body = views.workout_json(workout_row, execution_views)
    return WorkoutView(body, views.etag(workout_id, 1))


async def replace(
    session: AsyncSession, *, user_id: uuid.UUID, workout: WorkoutState, data: WorkoutReplace
) -> WorkoutView:
    _ensure_open(workout)
    supersets.check([execution.superset for execution in data.exercises], whole=True)
    await _visible_exercises(session, user_id, data.exercises)
    await repository.delete_tree(session, workout.id)
    await _insert_tree(session, workout.id, data.exercises, utc_now())
    values: dict[str, Any] = {"name": data.name, "notes": data.notes}
    if data.started_at is not None:
        values["started_at"] = data.started_at
    await repository.touch(session, workout.id, **values)
    return await _read(session, user_id, workout.id)


async def update(
    session: AsyncSession, *, user_id: uuid.UUID, workout: WorkoutState, data: WorkoutPatch
) -> WorkoutView:
    _ensure_open(workout)
    changed = data.model_dump(exclude_unset=True)
    if changed:  # an empty patch changes nothing: same version, nothing for the sync feed
        await repository.touch(session, workout.id, **changed)
    return await _read(session, user_id, workout.id)


async def delete(session: AsyncSession, *, user_id: uuid.UUID, workout: WorkoutState) -> None:
    """Allowed for finished workouts too."""
    await repository.delete_workout(session, user_id, workout.id)


async def finish(
    session: AsyncSession, *, user_id: uuid.UUID, workout: WorkoutState, data: FinishRequest | None
) -> WorkoutView:
    _ensure_open(workout)
    finished_at = (data.finished_at if data else None) or utc_now()
    if finished_at < workout.started_at:
        raise InvalidField(["body", "finished_at"], "finished_at must not be before started_at")
    await repository.touch(
        session, workout.id, status=WorkoutStatus.FINISHED, finished_at=finished_at
    )
    return await _read(session, user_id, workout.id)


async def reopen(
    session: AsyncSession, *, user_id: uuid.UUID, workout: WorkoutState
) -> WorkoutView:
    """Back to in progress so a mistake can be fixed; reopening an open workout changes nothing."""
    if workout.status == WorkoutStatus.FINISHED:
        await repository.touch(
            session, workout.id, status=WorkoutStatus.IN_PROGRESS, finished_at=None
        )
    return await _read(session, user_id, workout.id)


# Executions.


async def _execution_position(
    session: AsyncSession, workout: WorkoutState, exercise_id: uuid.UUID
) -> int:
    position = await repository.execution_position(session, workout.id, exercise_id)
    if position is None:
        raise ExecutionNotFound()
    return position


async def add_execution(
    session: AsyncSession, *, user_id: uuid.UUID, workout: WorkoutState, data: ExecutionWrite
) -> JsonDict:
    _ensure_open(workout)
    exercises = await repository.visible_exercises(
        session, user_id=user_id, exercise_ids=[data.exercise_id]
    )
    if not exercises:
        raise UnknownExercise()
    if await repository.execution_position(session, workout.id, data.exercise_id) is not None:
        raise ExerciseAlreadyInWorkout()
    if data.superset is not None:
        current = await repository.execution_supersets(session, workout.id)
        supersets.check([*current.values(), data.superset], whole=False)
    position = await repository.next_execution_position(session, workout.id)
    now = utc_now()
    rows = _set_rows(workout.id, data.exercise_id, data.sets, now)
    row = _execution_row(workout.id, position, data, now)
    with _exercises_still_there():
        await repository.insert_trees(session, workouts=[], executions=[row], sets=rows)
    await repository.touch(session, workout.id)
    return _execution_view(row, exercises[data.exercise_id], rows)


async def update_execution(
    session: AsyncSession, *, workout: WorkoutState, exercise_id: uuid.UUID, data: ExecutionPatch
) -> JsonDict:
    """Change the notes or the superset number, or replace the sets with the list given."""
    _ensure_open(workout)
    await _execution_position(session, workout, exercise_id)
    values = data.model_dump(include={"notes", "superset"}, exclude_unset=True)
    if "superset" in values:
        current = await repository.execution_supersets(session, workout.id)
        current[exercise_id] = data.superset
        supersets.check(list(current.values()), whole=False)
    if values:
        await repository.update_execution(session, workout.id, exercise_id, values)
    if data.sets is not None:
        await repository.delete_sets(session, workout.id, exercise_id)
        rows = _set_rows(workout.id, exercise_id, data.sets, utc_now())
        await repository.insert_trees(session, workouts=[], executions=[], sets=rows)
    if "notes" in data.model_fields_set or data.sets is not None:  # an empty patch changes nothing
        await repository.touch(session, workout.id)
    return views.execution_from_rows(
        await repository.fetch_execution(session, workout.id, exercise_id)
    )


async def remove_execution(
    session: AsyncSession, *, workout: WorkoutState, exercise_id: uuid.UUID
) -> None:
    _ensure_open(workout)
    position = await _execution_position(session, workout, exercise_id)
    await repository.delete_execution(session, workout.id, exercise_id, position)
    await repository.touch(session, workout.id)


async def reorder(
    session: AsyncSession, *, user_id: uuid.UUID, workout: WorkoutState, data: ReorderRequest
) -> WorkoutView:
    _ensure_open(workout)
    current = await repository.execution_supersets(session, workout.id)
    wanted = data.exercise_ids
    if len(wanted) != len(current) or set(wanted) != set(current):
        raise InvalidOrder()
    supersets.check([current[exercise_id] for exercise_id in wanted], whole=False)
    if wanted != list(current):  # the same order changes nothing
        await repository.reorder_executions(session, workout.id, wanted)
        await repository.touch(session, workout.id)
    return await _read(session, user_id, workout.id)


# Sets.


async def add_set(
    session: AsyncSession, *, workout: WorkoutState, exercise_id: uuid.UUID, data: SetWrite
) -> JsonDict:
    _ensure_open(workout)
    position = await repository.next_set_position(session, workout.id, exercise_id)
    if position is None:
        raise ExecutionNotFound()
    [row] = _set_rows(workout.id, exercise_id, [data], utc_now(), first_position=position)
    await repository.insert_trees(session, workouts=[], executions=[], sets=[row])
    await repository.touch(session, workout.id)
    return views.set_json(row)


async def update_set(
    session: AsyncSession,
    *,
    workout: WorkoutState,
    exercise_id: uuid.UUID,
    set_id: uuid.UUID,
    data: SetPatch,
) -> JsonDict:
    _ensure_open(workout)
    current = await repository.get_set(session, workout.id, exercise_id, set_id)
    if current is None:
        raise SetNotFound()
    changes = data.model_dump(exclude_unset=True)
    merged = {**current._asdict(), **changes}
    if all(merged[measure] is None for measure in MEASURES):
        raise InvalidField(["body"], "a set needs reps, duration_seconds or distance_m")
    if changes:
        await repository.update_set(session, set_id, changes)
        await repository.touch(session, workout.id)
    return views.set_json(merged)


async def remove_set(
    session: AsyncSession, *, workout: WorkoutState, exercise_id: uuid.UUID, set_id: uuid.UUID
) -> None:
    _ensure_open(workout)
    current = await repository.get_set(session, workout.id, exercise_id, set_id)
    if current is None:
        raise SetNotFound()
    await repository.delete_set(session, workout.id, exercise_id, set_id, current.position)
    await repository.touch(session, workout.id)
