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
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ironlog.core.db import UTCDateTime
from ironlog.core.local_time import EARLIEST, LATEST, LocalCalendar, Offset, WeekStart
from ironlog.models import Exercise, Workout, WorkoutSet, WorkoutStatus


@dataclass(frozen=True, slots=True)
class Bounds:
    """A closed interval on `workout.started_at`, to the microsecond both databases keep."""

    first: datetime = EARLIEST
    last: datetime = LATEST

    def narrow(self, first: datetime, last: datetime) -> "Bounds":
        return Bounds(max(self.first, first), min(self.last, last))


@dataclass(frozen=True, slots=True)
class WeekWorkouts:
    week_start: date
    workouts: int
    finished: int
    duration_seconds: int
    first_started_at: datetime
    last_started_at: datetime


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
    # weight x (30 + reps) in grams: the Epley estimate times 30, not yet rounded.
    e1rm_times_30: int | None
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


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _is_working_set() -> ColumnElement[bool]:
    """Completed sets that are not warm-ups. The literal (not a bound parameter) lets SQLite match
    the partial index `ix_workout_set_working`, whose WHERE clause is the same."""
    return and_(WorkoutSet.completed, WorkoutSet.set_type != literal_column("'warmup'"))


def _owned_in_bounds() -> ColumnElement[bool]:
    return and_(
        Workout.user_id == bindparam("user_id"),
        Workout.started_at >= bindparam("first"),
        Workout.started_at <= bindparam("last"),
    )


def _bounds_params(user_id: uuid.UUID, bounds: Bounds) -> dict[str, Any]:
    return {"user_id": user_id, "first": bounds.first, "last": bounds.last}


def _grams(weight_kg: Any) -> ColumnElement[int]:
    """A weight as an integer number of grams (weights are stored to the gram); also a
    distance (two decimals) as millimetres.

    Exact on both databases: PostgreSQL's NUMERIC product is exact, SQLite's REAL one is rounded
    back to the integer it stands for. Applied to grouped weights, so once per group, not per set.
    """
    return cast(func.round(weight_kg * 1000), BigInteger)


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


def _week_start(dialect: str, offsets: tuple[Offset, ...]) -> ColumnElement[date]:
    """The first day of the local week of `started_at` (dialect-specific, same result)."""
    if dialect == "postgresql":
        # timezone(zone, timestamptz) is the local wall-clock time in that zone.
        local = func.timezone(bindparam("tz"), Workout.started_at)
        weekday = cast(extract("isodow", local), Integer) - 1
        back = (weekday + bindparam("week_shift", type_=Integer)) % 7
        return cast(local, Date) - back
    # SQLite keeps UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'. The whole seconds (fractions would be
    # rounded to milliseconds by date(), and 23:59:59.9999 become the next day) plus the offset
    # in force, then the modifiers to the week's first day.
    return type_coerce(
        func.date(
            func.substr(Workout.started_at, 1, 19),
            _sqlite_offset(offsets),
            *(bindparam(f"week_modifier_{n}", type_=String) for n in range(3)),
        ),
        Date,
    )


def _sqlite_offset(offsets: tuple[Offset, ...]) -> ColumnElement[str]:
    """The offset in force at `started_at` as a date() modifier: a CASE over the transitions."""
    modifiers = [literal(f"{offset.seconds:+d} seconds") for offset in offsets]
    if len(offsets) <= 1:
        return modifiers[0] if modifiers else literal("+0 seconds")
    return case(
        *(
            (Workout.started_at < literal(offset.since, UTCDateTime()), modifier)
            for offset, modifier in zip(offsets[1:], modifiers, strict=False)
        ),
        else_=modifiers[-1],
    )


async def local_weeks(
    session: AsyncSession, *, user_id: uuid.UUID, bounds: Bounds, calendar: LocalCalendar
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
        elapsed = extract("epoch", Workout.finished_at - Workout.started_at)
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


def _working_sets(*columns: Any) -> Select[Any]:
    """The caller's working sets in the bounds, joined to their workout."""
    return (
        select(*columns)
        .select_from(WorkoutSet)
        .join(Workout, Workout.id == WorkoutSet.workout_id)
        .where(_owned_in_bounds(), _is_working_set())
    )


# --- statistics ----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _workouts_by_week_statement(dialect: str, offsets: tuple[Offset, ...]) -> Select[Any]:
    week = _week_start(dialect, offsets).label("week_start")
    is_finished = Workout.status == WorkoutStatus.FINISHED
    duration = case((is_finished, _duration_seconds(dialect)))
    rows = (
        select(
            week,
            case((is_finished, 1), else_=0).label("finished"),
            duration.label("duration"),
            Workout.started_at,
        )
        .where(_owned_in_bounds())
        .subquery("owned_workout")
    )
    return select(
        rows.c.week_start,
        func.count(),
        func.sum(rows.c.finished),
        func.coalesce(func.sum(rows.c.duration), 0),
        func.min(rows.c.started_at),
        func.max(rows.c.started_at),
    ).group_by(rows.c.week_start)


async def workouts_by_week(
    session: AsyncSession, *, user_id: uuid.UUID, bounds: Bounds, weeks: LocalWeeks
) -> list[WeekWorkouts]:
    """Per local week with at least one workout: counts, training time, first and last start."""
    dialect = _dialect(session)
    statement = _workouts_by_week_statement(dialect, weeks.offsets)
    params = {**_bounds_params(user_id, bounds), **weeks.params(dialect)}
    rows = await session.execute(statement, params)
    return [
        WeekWorkouts(
            week_start=row[0],
            workouts=row[1],
            finished=int(row[2]),
            duration_seconds=int(row[3]),
            first_started_at=row[4],
            last_started_at=row[5],
        )
        for row in rows
    ]


def _set_totals(group_by: Any, name: str) -> Select[Any]:
    """Working sets, reps and volume per `group_by` (a column of the working sets' query).

    The sets are grouped by `group_by` and rep count first, summing the weights: the volume of
    a group is then (sum of weights) x reps, one product per group instead of one per set, and
    no per-set arithmetic on a NUMERIC weight, whose hashing or multiplying is the expensive part
    on PostgreSQL. A NULL weight or NULL reps adds nothing to the volume.
    """
    by_reps = (
        _working_sets(
            group_by.label("key"),
            WorkoutSet.reps,
            func.count().label("sets"),
            func.sum(WorkoutSet.weight_kg).label("weight"),
        )
        .group_by(group_by, WorkoutSet.reps)
        .subquery(f"{name}_by_reps")
    )
    volume = _grams(by_reps.c.weight) * by_reps.c.reps
    return select(
        by_reps.c.key,
        func.sum(by_reps.c.sets).label("sets"),
        func.coalesce(func.sum(by_reps.c.sets * by_reps.c.reps), 0).label("reps"),
        func.coalesce(func.sum(volume), 0).label("volume"),
    ).group_by(by_reps.c.key)


@cache
def _sets_by_exercise_statement() -> Select[Any]:
    totals = _set_totals(WorkoutSet.exercise_id, "exercise").subquery("totals")
    return select(
        Exercise.id, Exercise.name, Exercise.name_key, totals.c.sets, totals.c.reps,
        totals.c.volume,
    ).join(totals, totals.c.key == Exercise.id)  # fmt: skip


async def sets_by_exercise(
    session: AsyncSession, *, user_id: uuid.UUID, bounds: Bounds
) -> list[ExerciseSets]:
    """Per exercise with at least one working set: working sets, reps and volume."""
    rows = await session.execute(_sets_by_exercise_statement(), _bounds_params(user_id, bounds))
    return [
        ExerciseSets(
            exercise_id=row[0],
            name=row[1],
            name_key=row[2],
            sets=int(row[3]),
            reps=int(row[4]),
            volume_grams=int(row[5]),
        )
        for row in rows
    ]


@lru_cache(maxsize=256)
def _sets_by_week_statement(dialect: str, offsets: tuple[Offset, ...]) -> Select[Any]:
    return _set_totals(_week_start(dialect, offsets), "week")


async def sets_by_week(
    session: AsyncSession, *, user_id: uuid.UUID, bounds: Bounds, weeks: LocalWeeks
) -> list[WeekSets]:
    """Per local week with at least one working set: working sets and volume. Called with the
    bounds of the weekly window, it reads only those weeks' sets (an index range)."""
    dialect = _dialect(session)
    statement = _sets_by_week_statement(dialect, weeks.offsets)
    params = {**_bounds_params(user_id, bounds), **weeks.params(dialect)}
    rows = await session.execute(statement, params)
    return [WeekSets(week_start=row[0], sets=int(row[1]), volume_grams=int(row[3])) for row in rows]


# --- records -------------------------------------------------------------------------------------

_METRICS = ("weight", "e1rm", "reps", "volume", "duration", "distance")


@cache
def _records_statement() -> Select[Any]:
    """One row per exercise with a working set: each record's value and when it was set.

    1. `combo`: one group per exercise, weight, reps, duration and distance, with the earliest
       start among its sets. Every record value depends only on these, so they are computed
       per group (a few thousand for years of history: lifting sets have no duration or
       distance, timed and distance sets no weight), not per set. A value is NULL where the
       group gives no record: a record needs a positive value. Epley is kept as
       weight x (30 + reps) in grams, an exact integer, and divided by 30 only at the end.
    2. `best`: the best value of each record per exercise. A tie is judged on the estimate
       rounded to hundredths of a kilogram: round half up of n / 300 is (n + 150) div 300, so
       every n from `e1rm_floor` = best - (best + 150) mod 300 up to the best rounds the same.
    3. Per exercise, each record's date is the earliest start among the groups that hold it:
       the earliest set holding a record is in the earliest workout holding it. Two workouts
       that started at the same instant give the same date whichever wins the tie on id.
    4. Only the heaviest weight's reps depend on which set holds the record: a correlated
       subquery reads the sets at the best weight in the workouts that started at that instant
       and takes the first by workout id, then set position (an index lookup per exercise).
    An exercise appears once per workout, so the execution position never breaks a tie between
    two sets of one exercise, and the executions table is not read.
    """
    # The weight in grams is computed once per group (a grouped subquery is not flattened
    # into the outer query), and the record values from it in integers.
    group = (
        _working_sets(
            WorkoutSet.exercise_id,
            _grams(WorkoutSet.weight_kg).label("weight"),
            WorkoutSet.reps,
            WorkoutSet.duration_seconds,
            _grams(WorkoutSet.distance_m).label("distance"),
            func.min(Workout.started_at).label("first_at"),
        )
        .group_by(
            WorkoutSet.exercise_id,
            WorkoutSet.weight_kg,
            WorkoutSet.reps,
            WorkoutSet.duration_seconds,
            WorkoutSet.distance_m,
        )
        .subquery("set_values")
    )
    weight, reps = group.c.weight, group.c.reps
    lifted = and_(weight > 0, reps > 0)
    combo = select(
        group.c.exercise_id,
        case((weight > 0, weight)).label("weight"),
        case(
            (and_(lifted, reps == 1), weight * 30),
            (and_(lifted, reps.between(2, 12)), weight * (reps + 30)),
        ).label("e1rm"),
        case((reps > 0, reps)).label("reps"),
        case((lifted, weight * reps)).label("volume"),
        case((group.c.duration_seconds > 0, group.c.duration_seconds)).label("duration"),
        case((group.c.distance > 0, group.c.distance)).label("distance"),
        group.c.first_at,
    ).cte("combo")
    best = (
        select(
            combo.c.exercise_id,
            *(func.max(combo.c[metric]).label(metric) for metric in _METRICS),
        )
        .group_by(combo.c.exercise_id)
        .subquery("best_value")
    )
    e1rm = best.c.e1rm
    best = select(best, (e1rm - (e1rm + 150) % 300).label("e1rm_floor")).subquery("best")
    holds = {
        "weight": combo.c.weight == best.c.weight,
        "e1rm": combo.c.e1rm >= best.c.e1rm_floor,
        "reps": combo.c.reps == best.c.reps,
        "volume": combo.c.volume == best.c.volume,
        "duration": combo.c.duration == best.c.duration,
        "distance": combo.c.distance == best.c.distance,
    }
    record = (
        select(
            best,
            *(
                func.min(case((holds[metric], combo.c.first_at))).label(f"{metric}_at")
                for metric in _METRICS
            ),
        )
        .join(combo, combo.c.exercise_id == best.c.exercise_id)
        .group_by(*best.c)
        .subquery("record")
    )
    holder = aliased(WorkoutSet, name="holder")
    holder_workout = aliased(Workout, name="holder_workout")
    weight_reps = (
        select(holder.reps)
        .join(holder_workout, holder_workout.id == holder.workout_id)
        .where(
            holder_workout.user_id == bindparam("user_id"),
            holder_workout.started_at == record.c.weight_at,
            holder.exercise_id == record.c.exercise_id,
            holder.completed,
            holder.set_type != literal_column("'warmup'"),
            _grams(holder.weight_kg) == record.c.weight,
        )
        .order_by(holder_workout.id, holder.position)
        .limit(1)
        .scalar_subquery()
    )
    return select(
        Exercise.id,
        Exercise.name,
        Exercise.name_key,
        record.c.weight,
        weight_reps,
        record.c.weight_at,
        record.c.e1rm,
        record.c.e1rm_at,
        record.c.reps,
        record.c.reps_at,
        record.c.volume,
        record.c.volume_at,
        record.c.duration,
        record.c.duration_at,
        record.c.distance,
        record.c.distance_at,
    ).join(record, record.c.exercise_id == Exercise.id)


async def records(session: AsyncSession, *, user_id: uuid.UUID, bounds: Bounds) -> list[RecordRow]:
    statement = _records_statement()
    rows = await session.execute(statement, _bounds_params(user_id, bounds))
    return [
        RecordRow(
            exercise_id=row[0],
            name=row[1],
            name_key=row[2],
            weight_grams=row[3],
            weight_reps=row[4],
            weight_at=row[5],
            e1rm_times_30=None if row[6] is None else int(row[6]),
            e1rm_at=row[7],
            reps=row[8],
            reps_at=row[9],
            volume_grams=None if row[10] is None else int(row[10]),
            volume_at=row[11],
            duration_seconds=row[12],
            duration_at=row[13],
            distance_millimetres=None if row[14] is None else int(row[14]),
            distance_at=row[15],
        )
        for row in rows
    ]
