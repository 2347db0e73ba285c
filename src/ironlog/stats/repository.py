"""Every query of statistics and records: aggregates computed by the database.

No query returns a user's sets: each returns at most one row per ISO week or per exercise.
docs/stats.md explains what runs where and why.

Exactness: weights are stored to the gram, so every figure is an exact integer number of grams
(`_grams`), computed once per group of equal weights rather than once per set.
Both databases therefore return the same figures and see the same ties.

The statements are built once (per dialect where they differ) with bound parameters (`user_id`,
`first`, `last`, `window_first`, `window_last`), so a request only binds values: SQLAlchemy
neither rebuilds nor re-keys them.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)

from ironlog.changes import summaries
from ironlog.core.db import ReadSession, UTCDateTime, fetch_all, fetch_mappings
from ironlog.core.local_time import EARLIEST, LATEST, LocalCalendar, Offset, WeekStart
from ironlog.models import ExecutionSummary, Exercise, ExerciseSummary, Workout, WorkoutStatus


@dataclass(frozen=True, slots=True)
class Bounds:
    """A closed interval on `workout.started_at`, to the microsecond both databases keep."""

    first: datetime = EARLIEST
    last: datetime = LATEST

    def narrow(self, first: datetime, last: datetime) -> "Bounds":
        return Bounds(max(self.first, first), min(self.last, last))


@dataclass(frozen=True, slots=True)
class WorkoutWeeks:
    """The workouts in some bounds: totals, and how many started in each local week."""

    workouts: int
    finished: int
    duration_seconds: int
    first_started_at: datetime | None
    last_started_at: datetime | None
    # Per local week with a workout (its first day): the number of workouts.
    per_week: dict[date, int]


@dataclass(frozen=True, slots=True)
class ExerciseSets:
    exercise_id: uuid.UUID
    name: str
    name_key: str
    sets: int
    reps: int
    volume_grams: int


@dataclass(frozen=True, slots=True)
class WeekSets:
    week_start: date
    sets: int
    volume_grams: int


@dataclass(frozen=True, slots=True)
class RecordRow:
    exercise_id: uuid.UUID
    name: str
    name_key: str
    weight_grams: int | None
    weight_reps: int | None
    weight_at: datetime | None
    # The Epley estimate rounded half up to hundredths of a kilogram.
    e1rm_hundredths: int | None
    e1rm_at: datetime | None
    reps: int | None
    reps_at: datetime | None
    volume_grams: int | None
    volume_at: datetime | None
    duration_seconds: int | None
    duration_at: datetime | None
    distance_millimetres: int | None
    distance_at: datetime | None


# --- building blocks -----------------------------------------------------------------------------


def _dialect(session: ReadSession) -> str:
    return session.get_bind().dialect.name


def _owned_in_bounds() -> ColumnElement[bool]:
    return and_(
        Workout.user_id == bindparam("user_id"),
        Workout.started_at >= bindparam("first"),
        Workout.started_at <= bindparam("last"),
    )


def _bounds_params(user_id: uuid.UUID, bounds: Bounds) -> dict[str, Any]:
    return {"user_id": user_id, "first": bounds.first, "last": bounds.last}


@dataclass(frozen=True, slots=True)
class LocalWeeks:
    """How the database finds the first day of a workout's local week, for one request.

    PostgreSQL converts with the zone's name; SQLite adds the UTC offsets in force over the
    user's workouts, listed by `core.local_time` (`offsets`, empty on PostgreSQL).
    """

    calendar: LocalCalendar
    offsets: tuple[Offset, ...] = ()

    def params(self, dialect: str) -> dict[str, Any]:
        if dialect == "postgresql":
            return {"tz": self.calendar.timezone, "week_shift": self.calendar.days_after_week_start}
        modifiers = _SQLITE_WEEK_MODIFIERS[self.calendar.week_starts_on]
        return {f"week_modifier_{n}": modifier for n, modifier in enumerate(modifiers)}


# date() modifiers from a local date to the first day of its week: 'weekday 0' moves forward
# to the next Sunday (or stays on one).
_SQLITE_WEEK_MODIFIERS = {
    WeekStart.MONDAY: ("+0 days", "weekday 0", "-6 days"),
    WeekStart.SUNDAY: ("+1 day", "weekday 0", "-7 days"),
}


def _week_start(
    dialect: str, offsets: tuple[Offset, ...], started_at: Any = Workout.started_at
) -> ColumnElement[date]:
    """The first day of the local week of `started_at` (dialect-specific, same result)."""
    if dialect == "postgresql":
        # timezone(zone, timestamptz) is the local wall-clock time in that zone.
        local = func.timezone(bindparam("tz"), started_at)
        # date_trunc('week') gives Monday; Sunday weeks shift a day forward, then back.
        shift = bindparam("week_shift", type_=Integer)
        shifted = local + literal_column("interval '1 day'") * shift
        return cast(func.date_trunc(literal_column("'week'"), shifted), Date) - shift
    # SQLite keeps UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'. The whole seconds (fractions would be
    # rounded to milliseconds by date(), and 23:59:59.9999 become the next day) plus the offset
    # in force, then the modifiers to the week's first day.
    return type_coerce(
        func.date(
            func.substr(started_at, 1, 19),
            _sqlite_offset(offsets, started_at),
            *(bindparam(f"week_modifier_{n}", type_=String) for n in range(3)),
        ),
        Date,
    )


def _sqlite_offset(offsets: tuple[Offset, ...], started_at: Any) -> ColumnElement[str]:
    """The offset in force at `started_at` as a date() modifier: a CASE over the transitions."""
    modifiers = [literal(f"{offset.seconds:+d} seconds") for offset in offsets]
    if len(offsets) <= 1:
        return modifiers[0] if modifiers else literal("+0 seconds")
    return case(
        *(
            (started_at < literal(offset.since, UTCDateTime()), modifier)
            for offset, modifier in zip(offsets[1:], modifiers, strict=False)
        ),
        else_=modifiers[-1],
    )


async def local_weeks(
    session: ReadSession, *, user_id: uuid.UUID, bounds: Bounds, calendar: LocalCalendar
) -> LocalWeeks:
    """What the week queries need for `calendar`: on SQLite, the offsets over the user's
    workouts in the bounds (one index lookup for their first and last start)."""
    if _dialect(session) == "postgresql" or calendar.timezone == "UTC":
        return LocalWeeks(calendar)
    statement = select(func.min(Workout.started_at), func.max(Workout.started_at)).where(
        _owned_in_bounds()
    )
    first, last = (await session.execute(statement, _bounds_params(user_id, bounds))).one()
    if first is None:
        return LocalWeeks(calendar)
    return LocalWeeks(calendar, calendar.sqlite_offsets(first, last))


def _duration_seconds(dialect: str) -> ColumnElement[int]:
    """Whole seconds from `started_at` to `finished_at`, truncated (dialect-specific)."""
    if dialect == "postgresql":
        # date_part, a double: EXTRACT returns NUMERIC, several times slower per row. Exact
        # here: microseconds over any span of years keep their integer part in a double.
        elapsed = func.date_part(
            literal_column("'epoch'"), Workout.finished_at - Workout.started_at
        )
        return cast(func.trunc(elapsed), BigInteger)

    # SQLite: whole seconds from the text without its fraction, microseconds from the fraction
    # (always six digits in SQLAlchemy's storage format), then integer division.
    def micros(column: Any) -> ColumnElement[int]:
        seconds = cast(
            func.strftime(literal_column("'%s'"), func.substr(column, 1, 19)), BigInteger
        )
        fraction = cast(func.substr(column, 21, 6), BigInteger)
        return seconds * 1_000_000 + fraction

    return (micros(Workout.finished_at) - micros(Workout.started_at)) // 1_000_000


# --- statistics ----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _workouts_by_week_statement(dialect: str, offsets: tuple[Offset, ...]) -> CompoundSelect[Any]:
    """The totals first (a row whose week is NULL), then one row per local week: its start and
    its number of workouts. The totals are summed by the database: a row per week with five
    years of them would cost more to build in Python than the query costs to run."""
    is_finished = Workout.status == WorkoutStatus.FINISHED
    rows = (
        select(
            _week_start(dialect, offsets).label("week_start"),
            case((is_finished, 1), else_=0).label("finished"),
            case((is_finished, _duration_seconds(dialect))).label("duration"),
            Workout.started_at,
        )
        .where(_owned_in_bounds())
        .cte("owned_workout")
    )
    totals = select(
        type_coerce(null(), Date),
        func.count(),
        func.coalesce(func.sum(rows.c.finished), 0),
        func.coalesce(func.sum(rows.c.duration), 0),
        func.min(rows.c.started_at),
        func.max(rows.c.started_at),
    )
    weeks = select(rows.c.week_start, func.count(), null(), null(), null(), null()).group_by(
        rows.c.week_start
    )
    return union_all(totals, weeks)


async def workouts_by_week(
    session: ReadSession, *, user_id: uuid.UUID, bounds: Bounds, weeks: LocalWeeks
) -> WorkoutWeeks:
    """The workouts in `bounds`: counts, training time, first and last start, and how many
    started in each local week."""
    dialect = _dialect(session)
    statement = _workouts_by_week_statement(dialect, weeks.offsets)
    params = {**_bounds_params(user_id, bounds), **weeks.params(dialect)}
    rows = await fetch_all(session, statement, params)
    [(_, workouts, finished, duration, first, last)] = [row for row in rows if row[0] is None]
    return WorkoutWeeks(
        workouts=workouts,
        finished=int(finished),
        duration_seconds=int(duration),
        first_started_at=first,
        last_started_at=last,
        per_week={row[0]: row[1] for row in rows if row[0] is not None},
    )


def _in_bounds(rows: Any) -> tuple[ColumnElement[bool], ...]:
    return (
        rows.user_id == bindparam("user_id"),
        rows.started_at >= bindparam("first"),
        rows.started_at <= bindparam("last"),
    )


@cache
def _summary_statement(bounded: bool) -> Select[Any]:
    """Per exercise with a working set: totals and records, with the exercise's name.

    Over the whole history, the user's `exercise_summary` rows (one per exercise); over a
    period, the `execution_summary` rows of the workouts in it, aggregated (summaries.aggregate).
    """
    if bounded:
        rows: Any = summaries.aggregate(_in_bounds).subquery("period_summary")
        source, columns = rows, rows.c
    else:
        source = ExerciseSummary
        columns = {name: getattr(ExerciseSummary, name) for name in summaries.SUMMARY_COLUMNS}
    statement = select(
        Exercise.name, Exercise.name_key, *(columns[name] for name in summaries.SUMMARY_COLUMNS)
    ).join(source, columns["exercise_id"] == Exercise.id)
    if not bounded:
        statement = statement.where(ExerciseSummary.user_id == bindparam("user_id"))
    return statement


async def _summaries(session: ReadSession, user_id: uuid.UUID, bounds: Bounds) -> list[Any]:
    bounded = bounds != Bounds()
    params = _bounds_params(user_id, bounds) if bounded else {"user_id": user_id}
    return list(await fetch_mappings(session, _summary_statement(bounded), params))


async def sets_by_exercise(
    session: ReadSession, *, user_id: uuid.UUID, bounds: Bounds
) -> list[ExerciseSets]:
    """Per exercise with at least one working set: working sets, reps and volume."""
    return [
        ExerciseSets(
            exercise_id=row["exercise_id"],
            name=row["name"],
            name_key=row["name_key"],
            sets=int(row["sets"]),
            reps=int(row["reps"]),
            volume_grams=int(row["volume_grams"]),
        )
        for row in await _summaries(session, user_id, bounds)
    ]


@lru_cache(maxsize=256)
def _sets_by_week_statement(dialect: str, offsets: tuple[Offset, ...]) -> Select[Any]:
    rows = ExecutionSummary
    week = _week_start(dialect, offsets, rows.started_at)
    columns: tuple[Any, ...] = (week, func.sum(rows.sets), func.sum(rows.volume_grams))
    return select(*columns).where(*_in_bounds(rows)).group_by(week)


async def sets_by_week(
    session: ReadSession, *, user_id: uuid.UUID, bounds: Bounds, weeks: LocalWeeks
) -> list[WeekSets]:
    """Per local week with at least one working set: working sets and volume. Called with the
    bounds of the weekly window, it reads only those weeks' summaries (an index range)."""
    dialect = _dialect(session)
    statement = _sets_by_week_statement(dialect, weeks.offsets)
    params = {**_bounds_params(user_id, bounds), **weeks.params(dialect)}
    rows = await fetch_all(session, statement, params)
    return [WeekSets(week_start=row[0], sets=int(row[1]), volume_grams=int(row[2])) for row in rows]


# --- records -------------------------------------------------------------------------------------


async def records(session: ReadSession, *, user_id: uuid.UUID, bounds: Bounds) -> list[RecordRow]:
    """One row per exercise with a working set: each record's value and when it was set."""

    def integer(value: Any) -> int | None:
        return None if value is None else int(value)

    return [
        RecordRow(
            exercise_id=row["exercise_id"],
            name=row["name"],
            name_key=row["name_key"],
            weight_grams=integer(row["weight_grams"]),
            weight_reps=row["weight_reps"],
            weight_at=row["weight_at"],
            e1rm_hundredths=integer(row["e1rm_hundredths"]),
            e1rm_at=row["e1rm_at"],
            reps=row["max_reps"],
            reps_at=row["reps_at"],
            volume_grams=integer(row["set_volume_grams"]),
            volume_at=row["volume_at"],
            duration_seconds=row["duration_seconds"],
            duration_at=row["duration_at"],
            distance_millimetres=integer(row["distance_mm"]),
            distance_at=row["distance_at"],
        )
        for row in await _summaries(session, user_id, bounds)
    ]
