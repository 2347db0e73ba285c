"""The rules of the exercise library: who sees what, who may change what, and unique names."""

import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import service as auth_service
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.changes import record as changes
from ironlog.core.db import ReadSession
from ironlog.core.pagination import PageRequest, page_dict
from ironlog.core.text import Typo, fold, search_key, typo_limit, typo_matcher
from ironlog.exercises import repository
from ironlog.exercises.errors import (
    ExerciseInUse,
    ExerciseNameTaken,
    ExerciseNotFound,
    SystemExerciseReadOnly,
)
from ironlog.exercises.names import name_key
from ironlog.exercises.repository import SearchFilters
from ironlog.exercises.schemas import ExerciseCreate, ExerciseUpdate
from ironlog.models import Exercise, Modality


async def _page(
    session: ReadSession, criteria: list[ColumnElement[bool]], page: PageRequest
) -> dict[str, object]:
    items, total = await repository.find_page(session, criteria, page)
    rows: list[object] = [*items]
    return page_dict(rows, total, page)


# The typo pass runs when fewer exercises than this match the query as it is.
FEW_MATCHES = 5


async def search(
    session: ReadSession,
    *,
    caller: ClaimedPrincipal | None,
    q: str | None,
    body_part: str | None,
    modality: Modality | None,
    page: PageRequest,
) -> dict[str, object]:
    """The system library and, for a signed-in caller, their own exercises, filtered. The
    caller's session is checked by the first statement.

    `q` is first a case-insensitive part of the name, as typed; when no name holds it, it is
    folded (core/text.py) and matched against names and aliases, ignoring spaces, hyphens and
    plurals, then within a few typos. Either way the best matches come first: the whole name,
    then its start, then a word's start, each by name (docs/exercises.md)."""
    user_id = caller.user_id if caller else None
    filters = SearchFilters(
        name_key=name_key(q) if q else None, body_part=body_part, modality=modality
    )
    total: int | None = None
    folded = fold(q) if q else ""
    if folded:  # else no query, or one without a letter or a digit ("%", "+"): as typed only
        forgiving = dataclasses.replace(filters, folded=folded, name_key=None)
        holding, matching = auth_service.checked(
            await repository.count_matches_for(session, caller, filters, forgiving)
        )
        if holding:
            total = holding
        else:
            filters, total = await _with_typos(session, user_id, forgiving, matching)
    criteria = repository.search_criteria(user_id, filters)
    order = repository.search_order(filters)
    if caller is not None and total is None:  # the session not checked yet: by the page's query
        return await _page_checked(session, caller, criteria, page, order)
    items, total = await repository.find_page(session, criteria, page, order, total=total)
    return page_dict([*items], total, page)


async def _page_checked(
    session: ReadSession,
    caller: ClaimedPrincipal,
    criteria: list[ColumnElement[bool]],
    page: PageRequest,
    order: tuple[ColumnElement[Any], ...] = repository.BY_NAME,
) -> dict[str, object]:
    items, total = auth_service.checked(
        await repository.find_page_checked(session, caller, criteria, page, order)
    )
    return page_dict([*items], total, page)


async def _with_typos(
    session: ReadSession, user_id: uuid.UUID | None, filters: SearchFilters, total: int
) -> tuple[SearchFilters, int]:
    """The folded query's filters and total, with the typo pass's matches when few exercises
    match it otherwise and it is long enough to allow a typo."""
    folded = filters.folded or ""
    if total >= FEW_MATCHES or not typo_limit(folded):
        return filters, total
    candidates = await repository.typo_candidates(session, user_id, filters)
    match = typo_matcher(folded)
    typos = [(id_, match(key)) for id_, key in candidates]
    filters = dataclasses.replace(
        filters,
        typo_whole_ids=tuple(id_ for id_, typo in typos if typo is Typo.WHOLE),
        typo_word_ids=tuple(id_ for id_, typo in typos if typo is Typo.WORD),
    )
    # The candidates exclude what matched already.
    return filters, total + len(filters.typo_whole_ids) + len(filters.typo_word_ids)


async def list_system(session: ReadSession, *, page: PageRequest) -> dict[str, object]:
    return await _page(session, [repository.system_only()], page)


async def list_own(
    session: ReadSession, *, caller: ClaimedPrincipal, page: PageRequest
) -> dict[str, object]:
    return await _page_checked(session, caller, [repository.owned_by(caller.user_id)], page)


async def body_parts(session: ReadSession, *, caller: ClaimedPrincipal | None) -> list[str]:
    found = auth_service.checked(await repository.body_parts(session, caller))
    # Sorted here rather than in SQL, so the order is by code point on both databases.
    return sorted(found)


async def get_visible(
    session: ReadSession, *, user_id: uuid.UUID | None, exercise_id: uuid.UUID
) -> Exercise:
    """A system exercise or one of the caller's own; anything else does not exist for them."""
    exercise = await repository.get_visible(session, exercise_id, user_id)
    if exercise is None:
        raise ExerciseNotFound()
    return exercise


async def get_visible_for(
    session: ReadSession, *, caller: ClaimedPrincipal | None, exercise_id: uuid.UUID
) -> Exercise:
    """`get_visible`, the caller's session checked by the same statement: one round trip. When
    nothing came back, the refusal checks the session first: an ended session is 401."""
    exercise = await repository.get_visible_for(session, exercise_id, caller)
    if exercise is None:
        raise ExerciseNotFound()
    return exercise


async def get_editable(
    session: ReadSession, *, user_id: uuid.UUID, exercise_id: uuid.UUID
) -> Exercise:
    """One of the caller's own exercises: 404 for another user's, 403 for a system one."""
    exercise = await get_visible(session, user_id=user_id, exercise_id=exercise_id)
    if exercise.is_system:
        raise SystemExerciseReadOnly()
    return exercise


async def create(session: AsyncSession, *, user_id: uuid.UUID, data: ExerciseCreate) -> Exercise:
    key = name_key(data.name)
    if await repository.name_taken(session, user_id=user_id, key=key):
        raise ExerciseNameTaken()
    exercise = Exercise(
        user_id=user_id,
        name=data.name,
        name_key=key,
        search_key=search_key([data.name]),
        body_part=data.body_part,
        modality=data.modality,
        description=data.description,
        change_seq=await changes.next_seq(session, user_id),
    )
    with _unique_name():
        await repository.add(session, exercise)
    return exercise


async def replace(session: AsyncSession, *, exercise: Exercise, data: ExerciseCreate) -> Exercise:
    """PUT: every field takes the body's value (an omitted description becomes null)."""
    return await _apply(session, exercise, data.model_dump())


async def update(session: AsyncSession, *, exercise: Exercise, data: ExerciseUpdate) -> Exercise:
    """PATCH: only the fields sent change."""
    return await _apply(session, exercise, data.model_dump(exclude_unset=True))


async def delete(session: AsyncSession, *, exercise: Exercise) -> None:
    if await repository.is_in_use(session, exercise.id):
        raise ExerciseInUse()
    try:
        await repository.remove(session, exercise)
    except IntegrityError as error:  # a workout started using it since the check
        raise ExerciseInUse() from error
    if exercise.user_id is None:  # get_editable refuses them already
        raise SystemExerciseReadOnly()
    await changes.record_delete(
        session, user_id=exercise.user_id, entity="exercise", entity_ids=[exercise.id]
    )


# The fields workouts and routines embed for each of their exercises (`exercise: {id, name, ...}`).
SHOWN_WHERE_USED = frozenset({"name", "name_key", "body_part", "modality"})


async def _apply(session: AsyncSession, exercise: Exercise, updates: dict[str, object]) -> Exercise:
    name = updates.pop("name", None)
    if isinstance(name, str):
        key = name_key(name)
        # Keeping the name (or changing only its case) needs no check: it is already this
        # exercise's, even if the system library gained the same name since.
        if key != exercise.name_key and await repository.name_taken(
            session, user_id=exercise.user_id, key=key, exclude_id=exercise.id
        ):
            raise ExerciseNameTaken()
        updates["name"] = name
        updates["name_key"] = key
        updates["search_key"] = search_key([name])
    changed = {field for field, value in updates.items() if getattr(exercise, field) != value}
    if not changed:  # nothing changes: no write, nothing for the sync feed
        return exercise
    for field in changed:
        setattr(exercise, field, updates[field])
    if exercise.user_id is None:  # get_editable refuses them already
        raise SystemExerciseReadOnly()
    exercise.change_seq = await changes.next_seq(session, exercise.user_id)
    with _unique_name():
        await session.flush()
    if changed & SHOWN_WHERE_USED:
        # Workouts and routines show the exercise's name, body part and modality: they changed
        # too.
        await repository.mark_users_changed(session, exercise.id, exercise.change_seq)
    return exercise


@contextmanager
def _unique_name() -> Iterator[None]:
    """A concurrent request can take the name between the check and the write; the unique
    index refuses the second write, and that is the same 409."""
    try:
        yield
    except IntegrityError as error:
        if repository.is_name_clash(error):
            raise ExerciseNameTaken() from error
        raise
