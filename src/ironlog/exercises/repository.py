"""Every query on exercises.

Reads are scoped with `visible_to`: the system library, plus the caller's own exercises when
there is a caller. Lists are ordered by `name_key` (the case-folded name) and then by id; a
search by name first by how well the name matches (`search_order`).
"""

import functools
import operator
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository as auth_repository
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.core.db import ReadSession, insert_rows
from ironlog.core.pagination import PageRequest
from ironlog.core.text import typo_bigrams
from ironlog.models import (
    Exercise,
    ExerciseExecution,
    Modality,
    Routine,
    RoutineExercise,
    Workout,
)

# The exercise's ownership and visibility, written once: every domain filters exercises with
# these (a user sees the system library and their own).
_SYSTEM = Exercise.user_id.is_(None)

UserIdParam = uuid.UUID | BindParameter[Any]


def visible_to(user_id: UserIdParam | None) -> ColumnElement[bool]:
    """The exercises a caller may read: the system library and, signed in, their own."""
    if user_id is None:
        return _SYSTEM
    return or_(_SYSTEM, Exercise.user_id == user_id)


def system_only() -> ColumnElement[bool]:
    return _SYSTEM


def owned_by(user_id: UserIdParam) -> ColumnElement[bool]:
    return Exercise.user_id == user_id


@dataclass(frozen=True, slots=True)
class SearchFilters:
    # The folded query (core/text.py), matched against `search_key` and ranked.
    folded: str | None = None
    # Exercises the typo pass matched (`typo_candidates`), a whole name or alias within a few
    # typos, then the start of a word: the last two ranks.
    typo_whole_ids: tuple[uuid.UUID, ...] = ()
    typo_word_ids: tuple[uuid.UUID, ...] = ()
    # The query as typed (`names.name_key`: case-folded), a part of the name: searched first,
    # the folded query only when no name holds it (docs/exercises.md).
    name_key: str | None = None
    body_part: str | None = None
    modality: Modality | None = None


def _filter_criteria(
    user_id: uuid.UUID | None, filters: SearchFilters
) -> list[ColumnElement[bool]]:
    criteria = [visible_to(user_id)]
    if filters.body_part is not None:
        criteria.append(Exercise.body_part == filters.body_part)
    if filters.modality is not None:
        criteria.append(Exercise.modality == filters.modality)
    return criteria


def search_criteria(user_id: uuid.UUID | None, filters: SearchFilters) -> list[ColumnElement[bool]]:
    criteria = _filter_criteria(user_id, filters)
    if filters.folded:
        # A folded query holds only letters and digits: no LIKE wildcard, no `|`, no space.
        matched: ColumnElement[bool] = Exercise.search_key.like(f"%{filters.folded}%")
        typo_ids = filters.typo_whole_ids + filters.typo_word_ids
        if typo_ids:
            matched = or_(matched, Exercise.id.in_(typo_ids))
        criteria.append(matched)
    elif filters.name_key:
        criteria.append(_name_holds(filters.name_key))
    return criteria


def _name_holds(typed: str) -> ColumnElement[bool]:
    return Exercise.name_key.like(f"%{_escape_like(typed)}%", escape="/")


def _escape_like(text: str) -> str:
    """`text` in a LIKE pattern, its wildcards taken literally. Patterns are built here, not in
    SQL, so that the planner sees constant patterns."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def count_matches(
    user_id: uuid.UUID | None, typed: SearchFilters, folded: SearchFilters
) -> Select[int, int]:
    """How many exercises hold the query as typed in their name, and how many match it folded
    (names and aliases), in one statement."""
    [*filters, holds] = search_criteria(user_id, typed)
    [*_, matches] = search_criteria(user_id, folded)
    return (
        select(func.count().filter(holds), func.count().filter(matches))
        .select_from(Exercise)
        .where(*filters, or_(holds, matches))
    )


BY_NAME: tuple[ColumnElement[Any], ...] = (Exercise.name_key, Exercise.id)  # type: ignore[assignment]


def search_order(filters: SearchFilters) -> tuple[ColumnElement[Any], ...]:
    """The best name match first: the whole name or an alias, then its start, then the start of
    one of its words, then anywhere in it, then within a few typos of a whole name or alias,
    then of a word's start; each rank by name. For the query as typed, the same ranks on the
    name alone."""
    if not filters.folded:
        if not filters.name_key:
            return BY_NAME
        typed = _escape_like(filters.name_key)
        word_start = or_(
            *(
                Exercise.name_key.like(f"%{_escape_like(before)}{typed}%", escape="/")
                for before in " -(/"
            )
        )
        typed_rank = case(
            (Exercise.name_key == filters.name_key, 0),
            (Exercise.name_key.like(f"{typed}%", escape="/"), 1),
            (word_start, 2),
            else_=3,
        )
        return (typed_rank, *BY_NAME)
    folded = filters.folded
    rank = case(
        (Exercise.search_key.like(f"%|{folded}|%"), 0),
        (Exercise.search_key.like(f"%|{folded}%"), 1),
        (Exercise.search_key.like(f"% {folded}%"), 2),
        (Exercise.search_key.like(f"%{folded}%"), 3),
        (Exercise.id.in_(filters.typo_whole_ids), 4),
        else_=5,
    )
    return (rank, *BY_NAME)


def count_statement(criteria: Sequence[ColumnElement[bool]]) -> Select[int]:
    return select(func.count()).select_from(Exercise).where(*criteria)


def page_statement(
    criteria: Sequence[ColumnElement[bool]],
    page: PageRequest,
    order: Sequence[ColumnElement[Any]] = BY_NAME,
) -> Select[Exercise]:
    return select(Exercise).where(*criteria).order_by(*order).offset(page.offset).limit(page.size)


async def count(session: ReadSession, criteria: Sequence[ColumnElement[bool]]) -> int:
    return await session.scalar(count_statement(criteria)) or 0


async def find_page(
    session: ReadSession,
    criteria: Sequence[ColumnElement[bool]],
    page: PageRequest,
    order: Sequence[ColumnElement[Any]] = BY_NAME,
    *,
    total: int | None = None,
) -> tuple[list[Exercise], int]:
    """One page and the total: two queries whatever the page size (one past the end); one when
    the caller counted already."""
    if total is None:
        total = await count(session, criteria)
    if page.offset >= total:
        return [], total
    items = await session.scalars(page_statement(criteria, page, order))
    return list(items), total


async def find_page_checked(
    session: ReadSession,
    caller: ClaimedPrincipal,
    criteria: Sequence[ColumnElement[bool]],
    page: PageRequest,
    order: Sequence[ColumnElement[Any]] = BY_NAME,
) -> tuple[list[Exercise], int] | None:
    """`find_page` for a caller whose session the same statement checks: one round trip when
    the page has items. None when the session has ended."""
    items = page_statement(criteria, page, order)
    found = await auth_repository.fetch_page_checked(
        session, caller, items, count_statement(criteria)
    )
    if found is None:
        return None
    rows, total = found
    return [row[0] for row in rows], total


async def count_matches_for(
    session: ReadSession,
    caller: ClaimedPrincipal | None,
    typed: SearchFilters,
    folded: SearchFilters,
) -> tuple[int, int] | None:
    """`count_matches`'s two counts, the caller's session checked by the same statement; None
    when it has ended."""
    user_id = caller.user_id if caller else None
    statement = count_matches(user_id, typed, folded)
    if caller is None:
        holding, matching = (await session.execute(statement)).one()
        return holding, matching
    checked = statement.add_columns(auth_repository.ACTIVE_SESSION)
    holding, matching, active = (await session.execute(checked, caller.params())).one()
    return (holding, matching) if active else None


# At most this many exercises go through the typo pass: the first by name.
TYPO_CANDIDATES = 2000


@functools.lru_cache(maxsize=64)
def holds_typo_bigrams(count: int) -> ColumnElement[bool]:
    """Whether a search key holds enough of the query's `count` bigrams for the typo pass to
    find it (`core.text.typo_bigrams`): a plain LIKE each, so that SQL drops the rest on both
    databases. Built once per count and reused, the patterns bound by `typo_candidates_statement`:
    building it anew for each search cost SQLAlchemy more than the database took to run it.
    `count` is at least 1: the typo pass runs for queries of 4 letters and more."""
    held = [
        case((Exercise.search_key.like(bindparam(f"typo_bigram_{index}")), 1), else_=0)
        for index in range(count)
    ]
    return functools.reduce(operator.add, held) >= bindparam("typo_bigrams_needed")


def typo_candidates_statement(
    user_id: uuid.UUID | None, filters: SearchFilters
) -> Select[uuid.UUID, str]:
    folded = filters.folded or ""
    bigrams, needed = typo_bigrams(folded)
    criteria = _filter_criteria(user_id, filters)
    criteria.append(Exercise.search_key.not_like(f"%{folded}%"))
    criteria.append(holds_typo_bigrams(len(bigrams)))
    statement = (
        select(Exercise.id, Exercise.search_key)
        .where(*criteria)
        .order_by(*BY_NAME)
        .limit(TYPO_CANDIDATES)
    )
    # A folded query holds only letters and digits: no LIKE wildcard in a bigram.
    patterns = {f"typo_bigram_{index}": f"%{bigram}%" for index, bigram in enumerate(bigrams)}
    return statement.params(patterns, typo_bigrams_needed=needed)


async def typo_candidates(
    session: ReadSession, user_id: uuid.UUID | None, filters: SearchFilters
) -> list[tuple[uuid.UUID, str]]:
    """(id, search_key) of the visible, filtered exercises the folded query does not match as
    it is, but that hold enough of its bigrams: those the typo pass looks at."""
    statement = typo_candidates_statement(user_id, filters)
    return [(row.id, row.search_key) for row in await session.execute(statement)]


def body_parts_statement(user_id: uuid.UUID | None) -> Select[str]:
    return select(Exercise.body_part).where(visible_to(user_id)).distinct()


async def body_parts(session: ReadSession, caller: ClaimedPrincipal | None) -> list[str] | None:
    """The body parts the caller can see, their session checked by the same statement (a
    second query tells no body part from an ended session). None when it has ended."""
    if caller is None:
        return list(await session.scalars(body_parts_statement(None)))
    statement = body_parts_statement(caller.user_id).where(auth_repository.ACTIVE_SESSION)
    found = list(await session.scalars(statement, caller.params()))
    if found or await auth_repository.session_is_active(session, **caller.params()):
        return found
    return None


async def get_visible(
    session: ReadSession, exercise_id: uuid.UUID, user_id: uuid.UUID | None
) -> Exercise | None:
    exercise: Exercise | None = await session.scalar(
        select(Exercise).where(Exercise.id == exercise_id, visible_to(user_id))
    )
    return exercise


async def get_visible_for(
    session: ReadSession, exercise_id: uuid.UUID, caller: ClaimedPrincipal | None
) -> Exercise | None:
    """`get_visible` with the caller's session checked by the same statement: None also when
    it has ended."""
    if caller is None:
        return await get_visible(session, exercise_id, None)
    statement = select(Exercise).where(
        Exercise.id == exercise_id, visible_to(caller.user_id), auth_repository.ACTIVE_SESSION
    )
    exercise: Exercise | None = await session.scalar(statement, caller.params())
    return exercise


async def name_taken(
    session: ReadSession,
    *,
    user_id: uuid.UUID | None,
    key: str,
    exclude_id: uuid.UUID | None = None,
) -> bool:
    """Whether a system exercise or one of the user's own already has this name key."""
    criteria = [Exercise.name_key == key, visible_to(user_id)]
    if exclude_id is not None:
        criteria.append(Exercise.id != exclude_id)
    return bool(await session.scalar(select(exists().where(*criteria))))


def is_name_clash(error: IntegrityError) -> bool:
    """Whether a write broke `uq_exercise_user_id_name_key` (PostgreSQL names the index,
    SQLite its columns)."""
    message = str(error.orig)
    return (
        "uq_exercise_user_id_name_key" in message
        or "exercise.user_id, exercise.name_key" in message
    )


async def is_in_use(session: ReadSession, exercise_id: uuid.UUID) -> bool:
    """Whether a workout or a routine uses the exercise."""
    statement = select(
        exists().where(ExerciseExecution.exercise_id == exercise_id)
        | exists().where(RoutineExercise.exercise_id == exercise_id)
    )
    return bool(await session.scalar(statement))


async def add(session: AsyncSession, exercise: Exercise) -> Exercise:
    session.add(exercise)
    await session.flush()
    return exercise


async def add_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert complete exercise rows in one statement (the importer's new custom exercises)."""
    await insert_rows(session, Exercise, rows)


async def remove(session: AsyncSession, exercise: Exercise) -> None:
    await session.delete(exercise)
    await session.flush()


async def mark_users_changed(session: AsyncSession, exercise_id: uuid.UUID, seq: int) -> None:
    """Put the workouts and routines that use the exercise in the sync feed again (change
    `seq`): they show its name, body part and modality. Their version (ETag) stays: their own
    content is the same."""
    workouts = select(ExerciseExecution.workout_id).where(
        ExerciseExecution.exercise_id == exercise_id
    )
    routines = select(RoutineExercise.routine_id).where(RoutineExercise.exercise_id == exercise_id)
    for statement in (
        update(Workout).where(Workout.id.in_(workouts)).values(change_seq=seq),
        update(Routine).where(Routine.id.in_(routines)).values(change_seq=seq),
    ):
        await session.execute(statement.execution_options(synchronize_session=False))
