"""The routine rules: trees, positions and folders (starting a workout and saving one back are
in `routines.workouts`).

Every routine change goes through a routine locked by `dependencies.get_locked_routine` and
ends with `repository.touch`, which bumps the version behind the ETag. Each write takes the
user's next change number for the sync feed (`changes.next_seq`, docs/sync.md) and stores it in
every routine and folder it changes; that statement also locks the user's row, which is what
serialises the user's changes of positions (`repository.lock_user` where no number is needed).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import service as auth_service
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.changes import record as changes
from ironlog.core.clock import utc_now
from ironlog.core.db import ReadSession
from ironlog.core.pagination import PageRequest, page_dict
from ironlog.models.base import new_id
from ironlog.routines import repository, views
from ironlog.routines.errors import (
    FolderExists,
    FolderNotFound,
    InvalidOrder,
    RoutineExists,
    RoutineNotFound,
    UnknownFolder,
)
from ironlog.routines.repository import RoutineState
from ironlog.routines.schemas import (
    FolderCreate,
    FolderWrite,
    OrderRequest,
    RoutineCreate,
    RoutineExerciseWrite,
    RoutinePatch,
    RoutineReplace,
    RoutineSetWrite,
)
from ironlog.workouts import repository as workout_repository
from ironlog.workouts import supersets
from ironlog.workouts.errors import DuplicateExercise, UnknownExercise

JsonDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RoutineView:
    body: JsonDict
    etag: str


def _view(rows: repository.Mappings, routine_id: uuid.UUID) -> RoutineView:
    if not rows:
        raise RoutineNotFound()
    [(body, version)] = views.routines_from_rows(rows)
    return RoutineView(body, views.etag(routine_id, version))


async def _read(session: ReadSession, user_id: uuid.UUID, routine_id: uuid.UUID) -> RoutineView:
    rows = await repository.fetch_tree(session, user_id=user_id, routine_id=routine_id)
    return _view(rows, routine_id)


async def get(session: ReadSession, *, user_id: uuid.UUID, routine_id: uuid.UUID) -> RoutineView:
    return await _read(session, user_id, routine_id)


async def get_for(
    session: ReadSession, *, caller: ClaimedPrincipal, routine_id: uuid.UUID
) -> RoutineView:
    """The routine, the caller's session checked by the same statement: one round trip. When
    nothing came back, the refusal checks the session first (`auth.dependencies.Reader`): an
    ended session is 401, a missing or foreign routine 404."""
    rows = await repository.fetch_tree_for(session, principal=caller, routine_id=routine_id)
    return _view(rows, routine_id)


async def list_routines(
    session: ReadSession, *, caller: ClaimedPrincipal, page: PageRequest
) -> JsonDict:
    """A page of the caller's routines, the session checked by the same statement."""
    rows, total = auth_service.checked(
        await repository.list_page(session, principal=caller, page=page)
    )
    items = [body for body, _version in views.routines_from_rows(rows)]
    return page_dict(items, total, page)


# Trees.


async def _check_tree(
    session: AsyncSession,
    user_id: uuid.UUID,
    folder_id: uuid.UUID | None,
    exercises: Sequence[RoutineExerciseWrite],
) -> None:
    """The folder is the user's; each exercise appears once, is visible, and the supersets
    follow the rule."""
    if folder_id is not None and not await repository.get_folder(
        session, user_id=user_id, folder_id=folder_id
    ):
        raise UnknownFolder()
    exercise_ids = [exercise.exercise_id for exercise in exercises]
    if len(set(exercise_ids)) != len(exercise_ids):
        raise DuplicateExercise("An exercise appears more than once in the routine.")
    visible = await workout_repository.visible_exercises(
        session, user_id=user_id, exercise_ids=exercise_ids
    )
    if len(visible) != len(exercise_ids):
        raise UnknownExercise()
    supersets.check([exercise.superset for exercise in exercises], whole=True)


def _set_row(
    routine_id: uuid.UUID, exercise_id: uuid.UUID, position: int, data: RoutineSetWrite
) -> dict[str, Any]:
    rep_range = data.rep_range
    return {
        "routine_id": routine_id,
        "exercise_id": exercise_id,
        "position": position,
        "set_type": data.set_type,
        "weight_kg": data.weight_kg,
        "reps": data.reps,
        "rep_min": None if rep_range is None else rep_range.min,
        "rep_max": None if rep_range is None else rep_range.max,
        "duration_seconds": data.duration_seconds,
        "distance_m": data.distance_m,
        "rpe": data.rpe,
    }


async def _insert_tree(
    session: AsyncSession,
    routine_id: uuid.UUID,
    exercises: Sequence[RoutineExerciseWrite],
    now: datetime,
    routine_row: dict[str, Any] | None = None,
) -> None:
    stamps = {"created_at": now, "updated_at": now}
    exercise_rows: list[dict[str, Any]] = []
    set_rows: list[dict[str, Any]] = []
    for position, exercise in enumerate(exercises):
        exercise_rows.append(
            {
                "routine_id": routine_id,
                "exercise_id": exercise.exercise_id,
                "position": position,
                "notes": exercise.notes,
                "rest_seconds": exercise.rest_seconds,
                "superset": exercise.superset,
                "increment_kg": exercise.progression.increment_kg if exercise.progression else None,
                **stamps,
            }
        )
        set_rows.extend(
            {**_set_row(routine_id, exercise.exercise_id, index, data), **stamps}
            for index, data in enumerate(exercise.sets)
        )
    try:
        await repository.insert_tree(
            session,
            routines=[routine_row] if routine_row else [],
            exercises=exercise_rows,
            sets=set_rows,
        )
    except IntegrityError as error:
        # Deleted by a concurrent transaction since `_check_tree` found it visible.
        if workout_repository.is_exercise_gone(error):
            raise UnknownExercise() from error
        raise


# Routines.


async def create(session: AsyncSession, *, user_id: uuid.UUID, data: RoutineCreate) -> RoutineView:
    """A new routine at the end of the user's routines."""
    await _check_tree(session, user_id, data.folder_id, data.exercises)
    if data.id is not None and await repository.exists(session, data.id):
        raise RoutineExists()
    seq = await changes.next_seq(session, user_id)
    now = utc_now()
    routine_id = data.id or new_id()
    routine_row = {
        "id": routine_id,
        "user_id": user_id,
        "folder_id": data.folder_id,
        "name": data.name,
        "notes": data.notes,
        "position": await repository.next_position(session, user_id),
        "version": 1,
        "change_seq": seq,
        "created_at": now,
        "updated_at": now,
    }
    try:
        await _insert_tree(session, routine_id, data.exercises, now, routine_row)
    except IntegrityError as error:
        if data.id is not None:  # a concurrent create took the same id first
            raise RoutineExists() from error
        raise
    return await _read(session, user_id, routine_id)


async def replace(
    session: AsyncSession, *, user_id: uuid.UUID, routine: RoutineState, data: RoutineReplace
) -> RoutineView:
    await _check_tree(session, user_id, data.folder_id, data.exercises)
    await repository.delete_tree(session, routine.id)
    await _insert_tree(session, routine.id, data.exercises, utc_now())
    await repository.touch(
        session,
        routine.id,
        name=data.name,
        notes=data.notes,
        folder_id=data.folder_id,
        change_seq=await changes.next_seq(session, user_id),
    )
    return await _read(session, user_id, routine.id)


async def update(
    session: AsyncSession, *, user_id: uuid.UUID, routine: RoutineState, data: RoutinePatch
) -> RoutineView:
    values = data.model_dump(exclude_unset=True)
    if not values:  # an empty patch changes nothing: no new version, nothing in the feed
        return await _read(session, user_id, routine.id)
    folder_id = values.get("folder_id")
    if folder_id is not None and not await repository.get_folder(
        session, user_id=user_id, folder_id=folder_id
    ):
        raise UnknownFolder()
    seq = await changes.next_seq(session, user_id)
    await repository.touch(session, routine.id, **values, change_seq=seq)
    return await _read(session, user_id, routine.id)


async def delete(session: AsyncSession, *, user_id: uuid.UUID, routine: RoutineState) -> None:
    """Workouts started from it stay, with `routine_id` null (a change to each)."""
    seq = await changes.next_seq(session, user_id)
    await repository.delete_routine(session, user_id, routine, seq)
    await changes.record_delete(
        session, user_id=user_id, entity="routine", entity_ids=[routine.id], seq=seq
    )


async def reorder(
    session: AsyncSession, *, user_id: uuid.UUID, data: OrderRequest
) -> list[JsonDict]:
    """`ids` must be exactly the user's routines; returns them all in the new order. The same
    order changes nothing."""
    await repository.lock_user(session, user_id)
    current = await repository.routine_ids(session, user_id)
    if len(data.ids) != len(current) or set(data.ids) != set(current):
        raise InvalidOrder()
    if list(data.ids) != current:
        seq = await changes.next_seq(session, user_id)
        await repository.reorder_routines(session, user_id, data.ids, seq)
    rows = await repository.all_trees(session, user_id)
    return [body for body, _version in views.routines_from_rows(rows)]


# Folders.


async def get_folder(session: ReadSession, *, user_id: uuid.UUID, folder_id: uuid.UUID) -> JsonDict:
    row = await repository.get_folder(session, user_id=user_id, folder_id=folder_id)
    if row is None:
        raise FolderNotFound()
    return views.folder_json(row)


async def get_folder_for(
    session: ReadSession, *, caller: ClaimedPrincipal, folder_id: uuid.UUID
) -> JsonDict:
    """The folder, the caller's session checked by the same statement: one round trip. When
    nothing came back, the refusal checks the session first: an ended session is 401, a
    missing or foreign folder 404."""
    row = await repository.get_folder_for(session, principal=caller, folder_id=folder_id)
    if row is None:
        raise FolderNotFound()
    return views.folder_json(row)


async def list_folders(
    session: ReadSession, *, caller: ClaimedPrincipal, page: PageRequest
) -> JsonDict:
    """A page of the caller's folders, the session checked by the same statement."""
    rows, total = auth_service.checked(
        await repository.list_folders(session, principal=caller, page=page)
    )
    return page_dict([views.folder_json(row) for row in rows], total, page)


async def create_folder(
    session: AsyncSession, *, user_id: uuid.UUID, data: FolderCreate
) -> JsonDict:
    """A new folder at the end of the user's folders."""
    if data.id is not None and await repository.folder_exists(session, data.id):
        raise FolderExists()
    seq = await changes.next_seq(session, user_id)
    now = utc_now()
    folder_id = data.id or new_id()
    row = {
        "id": folder_id,
        "user_id": user_id,
        "name": data.name,
        "position": await repository.next_folder_position(session, user_id),
        "change_seq": seq,
        "created_at": now,
        "updated_at": now,
    }
    try:
        await repository.insert_folders(session, [row])
    except IntegrityError as error:
        if data.id is not None:
            raise FolderExists() from error
        raise
    return views.folder_json(row)


async def rename_folder(
    session: AsyncSession, *, user_id: uuid.UUID, folder_id: uuid.UUID, data: FolderWrite
) -> JsonDict:
    await get_folder(session, user_id=user_id, folder_id=folder_id)
    seq = await changes.next_seq(session, user_id)
    await repository.rename_folder(session, folder_id, data.name, seq)
    return await get_folder(session, user_id=user_id, folder_id=folder_id)


async def delete_folder(session: AsyncSession, *, user_id: uuid.UUID, folder_id: uuid.UUID) -> None:
    """Its routines move out of it (folder_id null); the folders after it close up. All of
    them change, under one change number with the folder's tombstone."""
    seq = await changes.next_seq(session, user_id)
    folder = await get_folder(session, user_id=user_id, folder_id=folder_id)
    await repository.delete_folder(session, user_id, folder_id, folder["position"], seq)
    await changes.record_delete(
        session, user_id=user_id, entity="routine_folder", entity_ids=[folder_id], seq=seq
    )


async def reorder_folders(
    session: AsyncSession, *, user_id: uuid.UUID, data: OrderRequest
) -> list[JsonDict]:
    """`ids` must be exactly the user's folders; returns them all in the new order. The same
    order changes nothing."""
    await repository.lock_user(session, user_id)
    current = await repository.folder_ids(session, user_id)
    if len(data.ids) != len(current) or set(data.ids) != set(current):
        raise InvalidOrder()
    if list(data.ids) != current:
        seq = await changes.next_seq(session, user_id)
        await repository.reorder_folders(session, user_id, data.ids, seq)
    return [views.folder_json(row) for row in await repository.all_folders(session, user_id)]
