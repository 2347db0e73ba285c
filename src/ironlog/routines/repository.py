"""Every query on routines, their exercises and sets, and routine folders.

A routine's tree is read in one query (one row per set) and folded by `views`. Positions of
routines and folders are per user; changes that move them lock the user's row first, so two
concurrent writers cannot hand out the same position.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    RowMapping,
    Select,
    bindparam,
    case,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository as auth_repository
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.changes.ranges import KeyRange, in_range
from ironlog.core.clock import utc_now
from ironlog.core.db import ReadSession, fetch_mappings, insert_rows
from ironlog.core.pagination import PageRequest
from ironlog.models import (
    Exercise,
    Routine,
    RoutineExercise,
    RoutineFolder,
    RoutineSet,
    User,
    Workout,
    WorkoutSet,
    WorkoutStatus,
)
from ironlog.workouts import repository as workout_repository

Mappings = Sequence[RowMapping]


@dataclass(frozen=True, slots=True)
class RoutineState:
    """What the rules need to know about a routine before changing it."""

    id: uuid.UUID
    version: int
    position: int


async def lock_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Serialise the user's changes of positions (PostgreSQL; SQLite writers are serial)."""
    # FOR NO KEY UPDATE: it does not block inserts that reference the user (FOR KEY SHARE).
    await session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


# Ownership, written once per entity: every query on routines and folders filters with these.
def routine_owned_by(user_id: uuid.UUID | BindParameter[Any]) -> ColumnElement[bool]:
    return Routine.user_id == user_id


def folder_owned_by(user_id: uuid.UUID | BindParameter[Any]) -> ColumnElement[bool]:
    return RoutineFolder.user_id == user_id


# Routine trees.


_TREE = (
    select(
        Routine.id,
        Routine.name,
        Routine.notes,
        Routine.folder_id,
        Routine.position,
        Routine.version,
        Routine.created_at,
        Routine.updated_at,
        RoutineExercise.exercise_id,
        RoutineExercise.position.label("exercise_position"),
        RoutineExercise.notes.label("exercise_notes"),
        RoutineExercise.rest_seconds,
        RoutineExercise.superset,
        RoutineExercise.increment_kg,
        Exercise.name.label("exercise_name"),
        Exercise.body_part,
        Exercise.modality,
        RoutineSet.position.label("set_position"),
        RoutineSet.set_type,
        RoutineSet.weight_kg,
        RoutineSet.reps,
        RoutineSet.rep_min,
        RoutineSet.rep_max,
        RoutineSet.duration_seconds,
        RoutineSet.distance_m,
        RoutineSet.rpe,
    )
    .outerjoin(RoutineExercise, RoutineExercise.routine_id == Routine.id)
    .outerjoin(Exercise, Exercise.id == RoutineExercise.exercise_id)
    .outerjoin(
        RoutineSet,
        (RoutineSet.routine_id == RoutineExercise.routine_id)
        & (RoutineSet.exercise_id == RoutineExercise.exercise_id),
    )
    .order_by(Routine.position, Routine.id, RoutineExercise.position, RoutineSet.position)
)


_ONE_TREE = _TREE.where(
    Routine.id == bindparam("routine_id"), routine_owned_by(bindparam("user_id"))
)


# The caller's session checked in the same statement: a read is one round trip.
_ONE_TREE_CHECKED = _ONE_TREE.where(auth_repository.ACTIVE_SESSION)


async def fetch_tree_for(
    session: ReadSession, *, principal: ClaimedPrincipal, routine_id: uuid.UUID
) -> Mappings:
    """`fetch_tree` with the caller's session check: no rows either when the user does not own
    the routine or when the session has ended."""
    return await fetch_mappings(
        session, _ONE_TREE_CHECKED, {"routine_id": routine_id, **principal.params()}
    )


async def fetch_tree(
    session: ReadSession, *, user_id: uuid.UUID, routine_id: uuid.UUID
) -> Mappings:
    """One routine's tree, in one statement built once and sent straight to the driver; no
    rows when the user does not own it. Decimal columns may come back as `Decimal` (`views`
    turns them into numbers)."""
    params = {"routine_id": routine_id, "user_id": user_id}
    return await fetch_mappings(session, _ONE_TREE, params)


async def _page_checked(
    session: ReadSession,
    principal: ClaimedPrincipal,
    items: Select[*tuple[Any, ...]],
    count: Select[int],
) -> tuple[Mappings, int] | None:
    """`auth.repository.fetch_page_checked`, its rows as mappings."""
    found = await auth_repository.fetch_page_checked(session, principal, items, count)
    if found is None:
        return None
    rows, total = found
    return [row._mapping for row in rows], total


async def list_page(
    session: ReadSession, *, principal: ClaimedPrincipal, page: PageRequest
) -> tuple[Mappings, int] | None:
    """A page of the caller's routines in their order, with their trees, and the total count,
    the session checked in the same statement; None when it has ended."""
    owned = routine_owned_by(principal.user_id)
    ids = (
        select(Routine.id)
        .where(owned)
        .order_by(Routine.position, Routine.id)
        .limit(page.size)
        .offset(page.offset)
        .scalar_subquery()
    )
    items = _TREE.where(Routine.id.in_(ids))
    count = select(func.count()).select_from(Routine).where(owned)
    return await _page_checked(session, principal, items, count)


async def all_trees(session: AsyncSession, user_id: uuid.UUID) -> Mappings:
    """Every routine of the user with its tree (the export)."""
    return (await session.execute(_TREE.where(routine_owned_by(user_id)))).mappings().all()


_STATE = select(Routine.id, Routine.version, Routine.position).where(
    Routine.id == bindparam("routine_id"), routine_owned_by(bindparam("user_id"))
)


async def get_state(
    session: AsyncSession, *, user_id: uuid.UUID, routine_id: uuid.UUID, lock: bool = False
) -> RoutineState | None:
    """The routine's state if the user owns it; `lock` holds its row for the transaction."""
    statement = _STATE.with_for_update() if lock else _STATE
    row = (await session.execute(statement, {"routine_id": routine_id, "user_id": user_id})).first()
    return RoutineState(*row) if row else None


async def exists(session: AsyncSession, routine_id: uuid.UUID) -> bool:
    return await session.scalar(select(Routine.id).where(Routine.id == routine_id)) is not None


async def next_position(session: AsyncSession, user_id: uuid.UUID) -> int:
    statement = select(func.count()).select_from(Routine).where(routine_owned_by(user_id))
    return int(await session.scalar(statement) or 0)


async def insert_tree(
    session: AsyncSession,
    *,
    routines: Sequence[dict[str, Any]],
    exercises: Sequence[dict[str, Any]],
    sets: Sequence[dict[str, Any]],
) -> None:
    """Insert complete rows: one statement per table whatever the size."""
    for model, rows in ((Routine, routines), (RoutineExercise, exercises), (RoutineSet, sets)):
        await insert_rows(session, model, rows)


async def delete_tree(session: AsyncSession, routine_id: uuid.UUID) -> None:
    """The routine's exercises (their sets cascade)."""
    await session.execute(delete(RoutineExercise).where(RoutineExercise.routine_id == routine_id))


async def touch(session: AsyncSession, routine_id: uuid.UUID, **values: Any) -> None:
    """Record a change to the routine or its tree: bump the version (the ETag) and updated_at."""
    await session.execute(
        update(Routine)
        .where(Routine.id == routine_id)
        .values(version=Routine.version + 1, updated_at=utc_now(), **values)
    )


async def delete_routine(
    session: AsyncSession, user_id: uuid.UUID, routine: RoutineState, seq: int
) -> None:
    """Delete the routine; workouts started from it keep their data and lose the link (a change
    to them: their versions move on, and they take change number `seq`, as do the routines
    after it, whose positions close up)."""
    await session.execute(
        update(Workout)
        .where(Workout.routine_id == routine.id)
        .values(routine_id=None, version=Workout.version + 1, updated_at=utc_now(), change_seq=seq)
    )
    await session.execute(delete(Routine).where(Routine.id == routine.id))
    await session.execute(
        update(Routine)
        .where(routine_owned_by(user_id), Routine.position > routine.position)
        .values(
            position=Routine.position - 1,
            version=Routine.version + 1,
            updated_at=utc_now(),
            change_seq=seq,
        )
    )


async def routine_ids(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The user's routines in their order."""
    statement = (
        select(Routine.id).where(routine_owned_by(user_id)).order_by(Routine.position, Routine.id)
    )
    return list((await session.scalars(statement)).all())


async def reorder_routines(
    session: AsyncSession, user_id: uuid.UUID, ids: Sequence[uuid.UUID], seq: int
) -> None:
    """Each routine takes its index in `ids`; those that move get a new version and change
    number `seq`."""
    if not ids:
        return
    position = case({routine_id: index for index, routine_id in enumerate(ids)}, value=Routine.id)
    await session.execute(
        update(Routine)
        .where(routine_owned_by(user_id), Routine.position != position)
        .values(
            position=position, version=Routine.version + 1, updated_at=utc_now(), change_seq=seq
        )
    )


# Progression: the last time a routine was done. The statement goes to the driver compiled
# once (core.db.fetch_all).

_LAST_WORKOUT = (
    select(Workout.id)
    .where(
        workout_repository.owned_by(bindparam("user_id")),
        Workout.routine_id == bindparam("routine_id"),
        Workout.status == WorkoutStatus.FINISHED,
    )
    .order_by(Workout.started_at.desc(), Workout.id.desc())
    .limit(1)
    .scalar_subquery()
)

_LAST_SETS = (
    select(
        WorkoutSet.exercise_id,
        WorkoutSet.position,
        WorkoutSet.weight_kg,
        WorkoutSet.reps,
        WorkoutSet.completed,
    )
    .where(WorkoutSet.workout_id == _LAST_WORKOUT)
    .order_by(WorkoutSet.exercise_id, WorkoutSet.position)
)


async def last_sets(
    session: AsyncSession, *, user_id: uuid.UUID, routine_id: uuid.UUID
) -> Mappings:
    """The sets of the latest finished workout started from the routine (by start, then id)."""
    params = {"user_id": user_id, "routine_id": routine_id}
    return await fetch_mappings(session, _LAST_SETS, params)


# Folders.

_FOLDER_COLUMNS = (
    RoutineFolder.id,
    RoutineFolder.name,
    RoutineFolder.position,
    RoutineFolder.created_at,
    RoutineFolder.updated_at,
)


async def get_folder(
    session: ReadSession, *, user_id: uuid.UUID, folder_id: uuid.UUID
) -> RowMapping | None:
    statement = select(*_FOLDER_COLUMNS).where(
        RoutineFolder.id == folder_id, folder_owned_by(user_id)
    )
    row: RowMapping | None = (await session.execute(statement)).mappings().first()
    return row


async def get_folder_for(
    session: ReadSession, *, principal: ClaimedPrincipal, folder_id: uuid.UUID
) -> RowMapping | None:
    """`get_folder` with the caller's session check: None either when the user does not own
    the folder or when the session has ended."""
    statement = select(*_FOLDER_COLUMNS).where(
        RoutineFolder.id == folder_id,
        folder_owned_by(principal.user_id),
        auth_repository.ACTIVE_SESSION,
    )
    row: RowMapping | None = (
        (await session.execute(statement, principal.params())).mappings().first()
    )
    return row


async def folder_exists(session: AsyncSession, folder_id: uuid.UUID) -> bool:
    statement = select(RoutineFolder.id).where(RoutineFolder.id == folder_id)
    return await session.scalar(statement) is not None


async def list_folders(
    session: ReadSession, *, principal: ClaimedPrincipal, page: PageRequest
) -> tuple[Mappings, int] | None:
    """A page of the caller's folders in their order and the total count, the session checked
    in the same statement; None when it has ended."""
    owned = folder_owned_by(principal.user_id)
    items = (
        select(*_FOLDER_COLUMNS)
        .where(owned)
        .order_by(RoutineFolder.position, RoutineFolder.id)
        .limit(page.size)
        .offset(page.offset)
    )
    count = select(func.count()).select_from(RoutineFolder).where(owned)
    return await _page_checked(session, principal, items, count)


async def all_folders(session: AsyncSession, user_id: uuid.UUID) -> Mappings:
    statement = (
        select(*_FOLDER_COLUMNS)
        .where(folder_owned_by(user_id))
        .order_by(RoutineFolder.position, RoutineFolder.id)
    )
    return (await session.execute(statement)).mappings().all()


async def next_folder_position(session: AsyncSession, user_id: uuid.UUID) -> int:
    statement = select(func.count()).select_from(RoutineFolder).where(folder_owned_by(user_id))
    return int(await session.scalar(statement) or 0)


async def insert_folders(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await insert_rows(session, RoutineFolder, rows)


async def rename_folder(session: AsyncSession, folder_id: uuid.UUID, name: str, seq: int) -> None:
    await session.execute(
        update(RoutineFolder)
        .where(RoutineFolder.id == folder_id)
        .values(name=name, updated_at=utc_now(), change_seq=seq)
    )


async def delete_folder(
    session: AsyncSession, user_id: uuid.UUID, folder_id: uuid.UUID, position: int, seq: int
) -> None:
    """Move the folder's routines out of it (a change to each), delete it, close up; the
    routines and folders changed take change number `seq`."""
    now = utc_now()
    await session.execute(
        update(Routine)
        .where(Routine.folder_id == folder_id)
        .values(folder_id=None, version=Routine.version + 1, updated_at=now, change_seq=seq)
    )
    await session.execute(delete(RoutineFolder).where(RoutineFolder.id == folder_id))
    await session.execute(
        update(RoutineFolder)
        .where(folder_owned_by(user_id), RoutineFolder.position > position)
        .values(position=RoutineFolder.position - 1, updated_at=now, change_seq=seq)
    )


async def folder_ids(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The user's folders in their order."""
    statement = (
        select(RoutineFolder.id)
        .where(folder_owned_by(user_id))
        .order_by(RoutineFolder.position, RoutineFolder.id)
    )
    return list((await session.scalars(statement)).all())


async def reorder_folders(
    session: AsyncSession, user_id: uuid.UUID, ids: Sequence[uuid.UUID], seq: int
) -> None:
    if not ids:
        return
    position = case(
        {folder_id: index for index, folder_id in enumerate(ids)}, value=RoutineFolder.id
    )
    await session.execute(
        update(RoutineFolder)
        .where(folder_owned_by(user_id), RoutineFolder.position != position)
        .values(position=position, updated_at=utc_now(), change_seq=seq)
    )


# The sync feed (docs/sync.md).


async def trees_for_sync(session: ReadSession, *, user_id: uuid.UUID, keys: KeyRange) -> Mappings:
    """The user's routines, with their trees, whose last change lies in `keys`."""
    statement = _TREE.where(routine_owned_by(user_id), *in_range(Routine.change_seq, Routine.id))
    rows: Mappings = (await session.execute(statement, keys.params())).mappings().all()
    return rows


async def folders_for_sync(session: ReadSession, *, user_id: uuid.UUID, keys: KeyRange) -> Mappings:
    """The user's folders whose last change lies in `keys`."""
    statement = select(*_FOLDER_COLUMNS).where(
        folder_owned_by(user_id),
        *in_range(RoutineFolder.change_seq, RoutineFolder.id),
    )
    rows: Mappings = (await session.execute(statement, keys.params())).mappings().all()
    return rows


async def routine_names(session: AsyncSession, user_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The user's routines by lower-cased name (the importer's duplicate check)."""
    statement = select(Routine.name, Routine.id).where(routine_owned_by(user_id))
    return {name.lower(): routine_id for name, routine_id in await session.execute(statement)}
