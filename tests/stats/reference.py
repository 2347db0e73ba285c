"""Statistics and records computed the plain way, set by set, from a `History`'s rows.

The property tests compare the API with this. It follows the documented rules literally:
Decimal arithmetic (weights and volumes exact to the gram), estimated 1RMs rounded half up to
two decimals, records held by the first set in chronological order (started_at, workout id,
execution position, set position) to reach the best, and a record only for a positive value.
Dates are local to `zone` (zoneinfo), weeks start on `week_start` (0 Monday, 6 Sunday, as
Python's weekday()).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ironlog.exercises.names import name_key

UTC_ZONE = ZoneInfo("UTC")

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SetRow:
    workout_id: uuid.UUID
    started_at: datetime
    execution_position: int
    position: int
    exercise_id: uuid.UUID
    weight: Decimal | None
    reps: int | None
    duration_seconds: int | None
    distance: Decimal | None


@dataclass(frozen=True)
class Calendar:
    zone: ZoneInfo = UTC_ZONE
    week_start: int = 0  # the weekday() a week starts on: 0 Monday, 6 Sunday

    def day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def week(self, day: date) -> date:
        return day - timedelta(days=(day.weekday() - self.week_start) % 7)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(value: Decimal) -> float:
    return float(value)


def _in_range(
    calendar: Calendar, started_at: datetime, date_from: date | None, date_to: date | None
) -> bool:
    day = calendar.day(started_at)
    return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)


def _working_sets(
    rows: dict[str, list[dict[str, Any]]],
    calendar: Calendar,
    date_from: date | None,
    date_to: date | None,
) -> list[SetRow]:
    workouts = {
        row["id"]: row
        for row in rows["workouts"]
        if _in_range(calendar, row["started_at"], date_from, date_to)
    }
    positions = {
        (row["workout_id"], row["exercise_id"]): row["position"] for row in rows["executions"]
    }
    return [
        SetRow(
            workout_id=row["workout_id"],
            started_at=workouts[row["workout_id"]]["started_at"],
            execution_position=positions[(row["workout_id"], row["exercise_id"])],
            position=row["position"],
            exercise_id=row["exercise_id"],
            weight=None if row["weight_kg"] is None else Decimal(str(row["weight_kg"])),
            reps=row["reps"],
            duration_seconds=row["duration_seconds"],
            distance=None if row["distance_m"] is None else Decimal(str(row["distance_m"])),
        )
        for row in rows["sets"]
        if row["workout_id"] in workouts and row["completed"] and row["set_type"] != "warmup"
    ]


def _volume(item: SetRow) -> Decimal:
    if item.weight is None or item.reps is None:
        return Decimal(0)
    return item.weight * item.reps


def _streaks(weeks: set[date], current: date) -> tuple[int, int]:
    end = current if current in weeks else current - timedelta(weeks=1)
    run = 0
    while end in weeks:
        run += 1
        end -= timedelta(weeks=1)
    longest = 0
    for week in weeks:
        if week - timedelta(weeks=1) not in weeks:
            length = 1
            while week + timedelta(weeks=length) in weeks:
                length += 1
            longest = max(longest, length)
    return run, longest


def stats(
    rows: dict[str, list[dict[str, Any]]],
    names: dict[uuid.UUID, str],
    *,
    today: date,
    date_from: date | None = None,
    date_to: date | None = None,
    calendar: Calendar = Calendar(),
) -> dict[str, Any]:
    workouts = [
        row
        for row in rows["workouts"]
        if _in_range(calendar, row["started_at"], date_from, date_to)
    ]
    sets = _working_sets(rows, calendar, date_from, date_to)
    current = calendar.week(date_to or today)
    week_of = lambda instant: calendar.week(calendar.day(instant))  # noqa: E731
    weeks = [current - timedelta(weeks=back) for back in range(11, -1, -1)]
    starts = [row["started_at"] for row in workouts]
    per_exercise: dict[uuid.UUID, list[SetRow]] = {}
    for item in sets:
        per_exercise.setdefault(item.exercise_id, []).append(item)
    top = sorted(
        per_exercise.items(),
        key=lambda pair: (-len(pair[1]), name_key(names[pair[0]]), names[pair[0]], pair[0]),
    )[:5]
    finished = [row for row in workouts if row["status"] == "finished"]
    current_streak, longest_streak = _streaks({week_of(s) for s in starts}, current)
    return {
        "from": None if date_from is None else date_from.isoformat(),
        "to": None if date_to is None else date_to.isoformat(),
        "total_workouts": len(workouts),
        "finished_workouts": len(finished),
        "total_sets": len(sets),
        "total_reps": sum(item.reps or 0 for item in sets),
        "total_volume_kg": _number(sum((_volume(item) for item in sets), Decimal(0))),
        "total_duration_seconds": sum(
            (row["finished_at"] - row["started_at"]) // timedelta(seconds=1) for row in finished
        ),
        "first_workout_at": min(starts, default=None),
        "last_workout_at": max(starts, default=None),
        "current_streak_weeks": current_streak,
        "longest_streak_weeks": longest_streak,
        "weekly": [
            {
                "week_start": week.isoformat(),
                "workouts": sum(1 for s in starts if week_of(s) == week),
                "sets": sum(1 for item in sets if week_of(item.started_at) == week),
                "volume_kg": _number(
                    sum(
                        (_volume(i) for i in sets if week_of(i.started_at) == week),
                        Decimal(0),
                    )
                ),
            }
            for week in weeks
        ],
        "top_exercises": [
            {
                "exercise_id": str(exercise_id),
                "name": names[exercise_id],
                "sets": len(items),
                "volume_kg": _number(sum((_volume(item) for item in items), Decimal(0))),
            }
            for exercise_id, items in top
        ],
    }


def _e1rm(item: SetRow) -> Decimal | None:
    if item.weight is None or item.reps is None:
        return None
    if item.reps == 1:
        return item.weight
    if 2 <= item.reps <= 12:
        return item.weight * (1 + Decimal(item.reps) / 30)
    return None


def records(
    rows: dict[str, list[dict[str, Any]]],
    names: dict[uuid.UUID, str],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    calendar: Calendar = Calendar(),
) -> list[dict[str, Any]]:
    sets = sorted(
        _working_sets(rows, calendar, date_from, date_to),
        key=lambda s: (s.started_at, s.workout_id, s.execution_position, s.position),
    )
    result: dict[uuid.UUID, dict[str, Any]] = {}
    for item in sets:
        record = result.setdefault(
            item.exercise_id,
            {
                "exercise_id": str(item.exercise_id),
                "name": names[item.exercise_id],
                "heaviest_weight_kg": None,
                "heaviest_weight_reps": None,
                "heaviest_weight_at": None,
                "best_e1rm_kg": None,
                "best_e1rm_at": None,
                "most_reps": None,
                "most_reps_at": None,
                "best_set_volume_kg": None,
                "best_set_volume_at": None,
                "longest_duration_seconds": None,
                "longest_duration_at": None,
                "longest_distance_m": None,
                "longest_distance_at": None,
            },
        )
        e1rm = _e1rm(item)
        candidates = {
            "heaviest_weight_kg": item.weight,
            "best_e1rm_kg": None if e1rm is None else _round(e1rm),
            "most_reps": item.reps,
            "best_set_volume_kg": None
            if item.weight is None or item.reps is None
            else item.weight * item.reps,
            "longest_duration_seconds": item.duration_seconds,
            "longest_distance_m": item.distance,
        }
        for field, value in candidates.items():
            held = record[field]
            # A record needs a positive value; strictly better only: on a tie the earlier set
            # keeps the record.
            if value is not None and value > 0 and (held is None or value > held):
                record[field] = value
                at = field.removesuffix("_kg").removesuffix("_seconds").removesuffix("_m")
                record[at + "_at"] = item.started_at
                if field == "heaviest_weight_kg":
                    record["heaviest_weight_reps"] = item.reps
    for record in result.values():
        for field in (
            "heaviest_weight_kg",
            "best_e1rm_kg",
            "best_set_volume_kg",
            "longest_distance_m",
        ):
            if record[field] is not None:
                # Compared exactly, served to two decimals (half up).
                record[field] = _number(_round(record[field]))
    return sorted(result.values(), key=lambda r: (name_key(r["name"]), r["name"], r["exercise_id"]))
