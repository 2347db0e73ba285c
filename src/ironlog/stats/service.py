"""Statistics and personal records over a user's workouts.

The database aggregates (repository.py); this module only combines the small aggregated results:
sums over at most one row per week or per exercise, the streak arithmetic over the list of weeks
with a workout, and the ranking of the top exercises. docs/stats.md has the definitions.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ironlog.auth import service as auth_service
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.core.clock import utc_now
from ironlog.core.db import ReadSession
from ironlog.core.local_time import LocalCalendar
from ironlog.stats import repository
from ironlog.stats.repository import Bounds, ExerciseSets, RecordRow

WEEK = timedelta(weeks=1)
ONE_DAY = timedelta(days=1)
WEEKLY_WEEKS = 12
TOP_EXERCISES = 5


@dataclass(frozen=True, slots=True)
class Period:
    """The inclusive local dates of `started_at` that count; `None` leaves a side open."""

    date_from: date | None = None
    date_to: date | None = None

    def bounds(self, calendar: LocalCalendar) -> Bounds:
        return Bounds(
            Bounds().first if self.date_from is None else calendar.first_instant(self.date_from),
            Bounds().last if self.date_to is None else calendar.last_instant(self.date_to),
        )


@dataclass(frozen=True, slots=True)
class WeekSummary:
    week_start: date
    workouts: int
    sets: int
    volume_kg: float


@dataclass(frozen=True, slots=True)
class TopExercise:
    exercise_id: uuid.UUID
    name: str
    sets: int
    volume_kg: float


@dataclass(frozen=True, slots=True)
class Stats:
    date_from: date | None
    date_to: date | None
    total_workouts: int
    finished_workouts: int
    total_sets: int
    total_reps: int
    total_volume_kg: float
    total_duration_seconds: int
    first_workout_at: datetime | None
    last_workout_at: datetime | None
    current_streak_weeks: int
    longest_streak_weeks: int
    weekly: list[WeekSummary]
    top_exercises: list[TopExercise]


@dataclass(frozen=True, slots=True)
class Record:
    exercise_id: uuid.UUID
    name: str
    heaviest_weight_kg: float | None
    heaviest_weight_reps: int | None
    heaviest_weight_at: datetime | None
    best_e1rm_kg: float | None
    best_e1rm_at: datetime | None
    most_reps: int | None
    most_reps_at: datetime | None
    best_set_volume_kg: float | None
    best_set_volume_at: datetime | None
    longest_duration_seconds: int | None
    longest_duration_at: datetime | None
    longest_distance_m: float | None
    longest_distance_at: datetime | None


def _shift(day: date, delta: timedelta) -> date | None:
    """`day + delta`, or `None` past the calendar's ends (years 1 and 9999)."""
    try:
        return day + delta
    except OverflowError:
        return None


def _kg(grams: int) -> float:
    return grams / 1000


def _hundredths(thousandths: int | None) -> float | None:
    """A record's value (grams, or millimetres of a distance) in kilograms or metres rounded
    half up to two decimals, as records are served; exact integer arithmetic."""
    return None if thousandths is None else (thousandths + 5) // 10 / 100


def _epley(hundredths: int | None) -> float | None:
    """The Epley estimate in kilograms, from hundredths of a kilogram (rounded when stored)."""
    return None if hundredths is None else hundredths / 100


def streaks(weeks: set[date], current_week: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive weeks, given each week's first day.

    The current run ends at `current_week`, or at the week before while `current_week` has no
    workout yet; weeks after `current_week` never extend it.
    """
    end = current_week if current_week in weeks else _shift(current_week, -WEEK)
    current = 0
    while end is not None and end in weeks:
        current += 1
        end = _shift(end, -WEEK)
    longest = run = 0
    previous: date | None = None
    for week in sorted(weeks):
        run = run + 1 if previous is not None and week - previous == WEEK else 1
        longest = max(longest, run)
        previous = week
    return current, longest


def _weekly_window(calendar: LocalCalendar, current_week: date) -> tuple[list[date], Bounds]:
    """The first days of the 12 weeks ending with `current_week`, and the instants they span.

    Only weeks the calendar can represent are listed: fewer than 12 for a `to` in January of year 1.
    """
    shifted = (_shift(current_week, -back * WEEK) for back in range(WEEKLY_WEEKS - 1, -1, -1))
    starts = [start for start in shifted if start is not None]
    last_day = _shift(current_week, 6 * ONE_DAY) or date.max
    return starts, Bounds(calendar.first_instant(starts[0]), calendar.last_instant(last_day))


def _top(exercises: list[ExerciseSets]) -> list[TopExercise]:
    ranked = sorted(exercises, key=lambda item: (-item.sets, *_name_order(item)))
    return [
        TopExercise(
            exercise_id=item.exercise_id,
            name=item.name,
            sets=item.sets,
            volume_kg=_kg(item.volume_grams),
        )
        for item in ranked[:TOP_EXERCISES]
    ]


def _name_order(item: ExerciseSets | RecordRow) -> tuple[str, str, uuid.UUID]:
    """Names sort case-insensitively (by their folded key), the same on every database."""
    return item.name_key, item.name, item.exercise_id


async def get_stats(session: ReadSession, *, caller: ClaimedPrincipal, period: Period) -> Stats:
    """The caller's statistics; the first query checks the caller's session."""
    calendar = await auth_service.get_calendar_checked(session, caller)
    user_id = caller.user_id
    bounds = period.bounds(calendar)
    current_week = calendar.week_start(period.date_to or calendar.today(utc_now()))
    mondays, window = _weekly_window(calendar, current_week)
    weeks = await repository.local_weeks(session, user_id=user_id, bounds=bounds, calendar=calendar)
    workouts = await repository.workouts_by_week(
        session, user_id=user_id, bounds=bounds, weeks=weeks
    )
    exercises = await repository.sets_by_exercise(session, user_id=user_id, bounds=bounds)
    set_weeks = await repository.sets_by_week(
        session, user_id=user_id, bounds=bounds.narrow(window.first, window.last), weeks=weeks
    )
    sets_in = {week.week_start: week for week in set_weeks}
    weekly = [
        WeekSummary(
            week_start=monday,
            workouts=workouts.per_week.get(monday, 0),
            sets=sets_in[monday].sets if monday in sets_in else 0,
            volume_kg=_kg(sets_in[monday].volume_grams if monday in sets_in else 0),
        )
        for monday in mondays
    ]
    current, longest = streaks(set(workouts.per_week), current_week)
    return Stats(
        date_from=period.date_from,
        date_to=period.date_to,
        total_workouts=workouts.workouts,
        finished_workouts=workouts.finished,
        total_sets=sum(item.sets for item in exercises),
        total_reps=sum(item.reps for item in exercises),
        total_volume_kg=_kg(sum(item.volume_grams for item in exercises)),
        total_duration_seconds=workouts.duration_seconds,
        first_workout_at=workouts.first_started_at,
        last_workout_at=workouts.last_started_at,
        current_streak_weeks=current,
        longest_streak_weeks=longest,
        weekly=weekly,
        top_exercises=_top(exercises),
    )


async def get_records(
    session: ReadSession, *, caller: ClaimedPrincipal, period: Period
) -> list[Record]:
    """The caller's records; the first query checks the caller's session."""
    calendar = await auth_service.get_calendar_checked(session, caller)
    rows = await repository.records(session, user_id=caller.user_id, bounds=period.bounds(calendar))
    return [
        Record(
            exercise_id=row.exercise_id,
            name=row.name,
            heaviest_weight_kg=_hundredths(row.weight_grams),
            heaviest_weight_reps=row.weight_reps,
            heaviest_weight_at=row.weight_at,
            best_e1rm_kg=_epley(row.e1rm_hundredths),
            best_e1rm_at=row.e1rm_at,
            most_reps=row.reps,
            most_reps_at=row.reps_at,
            best_set_volume_kg=_hundredths(row.volume_grams),
            best_set_volume_at=row.volume_at,
            longest_duration_seconds=row.duration_seconds,
            longest_duration_at=row.duration_at,
            longest_distance_m=_hundredths(row.distance_millimetres),
            longest_distance_at=row.distance_at,
        )
        for row in sorted(rows, key=_name_order)
    ]
