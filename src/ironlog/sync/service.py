"""The change feed: which objects are in it, and a page of it (docs/sync.md)."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Integer, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import service as auth_service
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.changes.ranges import ChangeKey, KeyRange, in_range
from ironlog.core.clock import utc_now
from ironlog.core.config import Settings
from ironlog.core.db import ReadSession
from ironlog.exercises import repository as exercise_repository
from ironlog.exercises.schemas import ExerciseRead
from ironlog.measurements import repository as measurement_repository
from ironlog.measurements.schemas import MeasurementRead
from ironlog.models import (
    BodyMeasurement,
    Exercise,
    Routine,
    RoutineFolder,
    User,
    UserPreferences,
    Workout,
)
from ironlog.routines import repository as routine_repository
from ironlog.routines import views as routine_views
from ironlog.sync import cursor as cursors
from ironlog.sync import repository
from ironlog.sync.cursor import Cursor
from ironlog.users import service as user_service
from ironlog.users.schemas import PreferencesRead
from ironlog.workouts import repository as workout_repository
from ironlog.workouts import views as workout_views

JsonDict = dict[str, Any]
Loader = Callable[[ReadSession, uuid.UUID, KeyRange], Awaitable[list[tuple[uuid.UUID, JsonDict]]]]

# Tombstones are kept this long past the retention, for transactions that were still running
# when a cursor was issued (their deletions carry a slightly earlier time).
RETENTION_MARGIN_SECONDS = 24 * 3600


async def _load_workouts(
    session: ReadSession, user_id: uuid.UUID, keys: KeyRange
) -> list[tuple[uuid.UUID, JsonDict]]:
    rows = await workout_repository.fetch_trees_for_sync(session, user_id=user_id, keys=keys)
    return [(body["id"], body) for body, _version in workout_views.trees_from_rows(rows)]


async def _load_exercises(
    session: ReadSession, user_id: uuid.UUID, keys: KeyRange
) -> list[tuple[uuid.UUID, JsonDict]]:
    statement = select(Exercise).where(
        exercise_repository.owned_by(user_id), *in_range(Exercise.change_seq, Exercise.id)
    )
    exercises = await session.scalars(statement, keys.params())
    return [
        (exercise.id, ExerciseRead.model_validate(exercise).model_dump(mode="json"))
        for exercise in exercises
    ]


async def _load_measurements(
    session: ReadSession, user_id: uuid.UUID, keys: KeyRange
) -> list[tuple[uuid.UUID, JsonDict]]:
    statement = select(BodyMeasurement).where(
        measurement_repository.owned_by(user_id),
        *in_range(BodyMeasurement.change_seq, BodyMeasurement.id),
    )
    entries = await session.scalars(statement, keys.params())
    return [
        (entry.id, MeasurementRead.model_validate(entry).model_dump(mode="json"))
        for entry in entries
    ]


async def _load_routines(
    session: ReadSession, user_id: uuid.UUID, keys: KeyRange
) -> list[tuple[uuid.UUID, JsonDict]]:
    rows = await routine_repository.trees_for_sync(session, user_id=user_id, keys=keys)
    return [(body["id"], body) for body, _version in routine_views.routines_from_rows(rows)]


async def _load_folders(
    session: ReadSession, user_id: uuid.UUID, keys: KeyRange
) -> list[tuple[uuid.UUID, JsonDict]]:
    rows = await routine_repository.folders_for_sync(session, user_id=user_id, keys=keys)
    return [(row["id"], routine_views.folder_json(row)) for row in rows]


async def _load_preferences(
    session: ReadSession, user_id: uuid.UUID, _keys: KeyRange
) -> list[tuple[uuid.UUID, JsonDict]]:
    # One object per user, under the user's id: loaded only when its key is in the page.
    preferences = await user_service.get_preferences(session, user_id=user_id)
    return [(user_id, PreferencesRead.model_validate(preferences).model_dump(mode="json"))]


class _PreferencesKeys:
    """The preferences' keys, as a table of `id`, `user_id` and `change_seq`: one per user,
    also for a user who never changed them (no row yet: change 0), so that every snapshot
    carries them and a replica always has its preferences."""

    _columns = (
        select(
            User.id.label("id"),
            User.id.label("user_id"),
            func.coalesce(UserPreferences.change_seq, literal_column("0", Integer)).label(
                "change_seq"
            ),
        )
        .outerjoin(UserPreferences, UserPreferences.user_id == User.id)
        .subquery("preferences_keys")
        .c
    )
    id = _columns.id
    user_id = _columns.user_id
    change_seq = _columns.change_seq


@dataclass(frozen=True, slots=True)
class Source:
    """One kind of object in the feed: its name, its table (a `models.Synced` table with `id`
    and `user_id`, or a subquery's columns of those names and `change_seq`), and how to load a
    range of them as the API's own GET shows them."""

    entity: str
    model: Any
    load: Loader


# The feed's objects, in the order they are listed within one change number. Append new ones:
# a source's position is part of the cursors already issued.
SOURCES: tuple[Source, ...] = (
    Source("workout", Workout, _load_workouts),
    Source("exercise", Exercise, _load_exercises),
    Source("body_measurement", BodyMeasurement, _load_measurements),
    Source("routine", Routine, _load_routines),
    Source("routine_folder", RoutineFolder, _load_folders),
    Source("preferences", _PreferencesKeys, _load_preferences),
)
_SOURCE_TABLES = tuple((source.entity, source.model) for source in SOURCES)


@dataclass(frozen=True, slots=True)
class FeedPage:
    changes: list[JsonDict]
    cursor: str
    has_more: bool
    reset: bool


def _start(
    cursor_text: str | None, *, settings: Settings, user_id: uuid.UUID, high: int, now: int
) -> tuple[Cursor, bool]:
    """The position to read from, and whether the client must start again (`reset`)."""
    if cursor_text is None:
        return Cursor.start(floor=high, since=now), False
    cursor = cursors.decode(cursor_text, secret=settings.signing_key, user_id=user_id)
    # A cursor ahead of the counter comes from before a restore of an older backup; one older
    # than the retention may miss deletions whose tombstones are gone. Both start again.
    if cursor.seq > high or now - cursor.since > settings.sync_retention_days * 86400:
        return Cursor.start(floor=high, since=now), True
    return cursor, False


async def read_page(
    session: ReadSession,
    *,
    settings: Settings,
    caller: ClaimedPrincipal,
    cursor_text: str | None,
    limit: int,
) -> FeedPage:
    """The changes after the cursor, oldest first, each object once in its latest state. The
    first query checks the caller's session."""
    now = int(utc_now().timestamp())
    high = await repository.current_seq(session, caller)
    if high is None:
        raise auth_service.session_ended()
    user_id = caller.user_id
    cursor, reset = _start(cursor_text, settings=settings, user_id=user_id, high=high, now=now)
    keys: list[ChangeKey] = []
    if not (cursor.complete and cursor.seq == high):  # an up-to-date client reads nothing more
        keys = await repository.change_keys(
            session,
            sources=_SOURCE_TABLES,
            user_id=user_id,
            after=ChangeKey(cursor.seq, cursor.kind, cursor.id),
            high=high,
            floor=cursor.floor,
            limit=limit + 1,
        )
    has_more = len(keys) > limit
    keys = keys[:limit]
    if has_more:
        last = keys[-1]
        following = Cursor(last.seq, last.kind, last.id, cursor.floor, cursor.since)
    else:
        following = Cursor(high, cursors.END_KIND, cursors.MAX_ID, cursor.floor, now)
    return FeedPage(
        changes=await _changes(session, user_id, keys),
        cursor=cursors.encode(following, secret=settings.signing_key, user_id=user_id),
        has_more=has_more,
        reset=reset,
    )


async def _changes(
    session: ReadSession, user_id: uuid.UUID, keys: list[ChangeKey]
) -> list[JsonDict]:
    """The page's changes with their data; an object listed twice (deleted, then created again
    with the same id) only in its latest state."""
    data: dict[int, dict[uuid.UUID, JsonDict]] = {}
    for kind in sorted({key.kind for key in keys if key.kind % 2 == 0}):
        of_kind = [key for key in keys if key.kind == kind]
        loaded = await SOURCES[kind // 2].load(session, user_id, KeyRange(of_kind[0], of_kind[-1]))
        data[kind] = {uuid.UUID(bytes=object_id.bytes): body for object_id, body in loaded}
    latest = {(key.kind // 2, key.id): index for index, key in enumerate(keys)}
    changes: list[JsonDict] = []
    for index, key in enumerate(keys):
        if latest[(key.kind // 2, key.id)] != index:
            continue
        entity = SOURCES[key.kind // 2].entity
        if key.kind % 2:
            changes.append(_change(entity, key, "delete", None))
        elif (body := data[key.kind].get(key.id)) is not None:  # else deleted since: it follows
            changes.append(_change(entity, key, "upsert", body))
    return changes


def _change(entity: str, key: ChangeKey, op: str, data: JsonDict | None) -> JsonDict:
    return {"entity": entity, "id": key.id, "op": op, "version": key.seq, "data": data}


async def delete_expired_tombstones(session: AsyncSession, *, settings: Settings) -> int:
    """Delete the tombstones no cursor still in its retention can need; returns how many."""
    kept = timedelta(days=settings.sync_retention_days, seconds=RETENTION_MARGIN_SECONDS)
    return await repository.delete_tombstones(session, before=utc_now() - kept)
