"""Statistics and records on random histories equal a plain Python reference (reference.py);
and the number of queries per request does not depend on the history's size."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle, register_user
from tests.stats import reference
from tests.stats.conftest import NOW
from tests.stats.history import History, SetSpec, sets

STATS = "/api/v1/users/me/stats"
RECORDS = "/api/v1/users/me/records"
PREFERENCES = "/api/v1/users/me/preferences"
FIRST_DAY = date(2026, 8, 24)
DAYS = 110  # up to 2026-12-11: past "now" (2026-11-26) too
EXERCISES = ("Alpha Row", "beta press", "Gamma Squat")

# Few distinct values per history, so that ties, rounding edges and nulls come up often:
# 33.33 x 5 reps estimates 38.885, which rounds half up to tie with 38.89 x 1; 0.05 x 3 reps
# estimates 0.055; 13 reps and more give no estimate; 0 reps give only a weight record. Weights
# to the gram: 33.333 x 5 estimates 38.8885, which rounds to tie with 38.89 x 1 too, and 102.058
# (225 lb) sums without drift.
WEIGHTS = [None, 0, 0.05, 33.33, 33.333, 38.89, 100, 100.01, 102.058]
REPS = [None, 0, 1, 3, 5, 12, 13]
times = st.sampled_from(
    ["00:00:00", "06:30:00.5", "07:30:00", "13:15:00", "17:00:00", "23:59:59.999999"]
)
DURATIONS = [None, 0, 30, 45]
DISTANCES = [None, 0, 0.01, 5000.5]
# Zones behind and ahead of UTC, with daylight-saving changes inside the history's span
# (2026-10-25 in Europe, 2026-11-01 in the USA, 2026-10-04 on Lord Howe by half an hour), and
# one whose "today" is already tomorrow in UTC terms.
ZONES = [
    "UTC",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Europe/London",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
]


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    pool = draw(st.lists(st.sampled_from(WEIGHTS), min_size=1, max_size=3, unique=True))
    set_specs = st.builds(
        SetSpec,
        weight_kg=st.sampled_from(pool),
        reps=st.sampled_from(REPS),
        set_type=st.sampled_from(["normal", "normal", "warmup", "failure", "drop"]),
        completed=st.booleans(),
        duration_seconds=st.sampled_from(DURATIONS),
        distance_m=st.sampled_from(DISTANCES),
    )
    workouts = st.fixed_dictionaries(
        {
            "day": st.integers(0, DAYS),
            "time": times,
            "minutes": st.sampled_from([None, 0, 0.51, 45, 90]),
            "exercises": st.permutations(range(len(EXERCISES))).flatmap(
                lambda order: st.integers(0, len(order)).map(lambda n: order[:n])
            ),
            "sets": st.lists(st.lists(set_specs, max_size=4), min_size=3, max_size=3),
        }
    )
    return draw(st.lists(workouts, max_size=6))


days = st.none() | st.integers(0, DAYS).map(lambda n: FIRST_DAY + timedelta(days=n))


def _bounds(first: date | None, second: date | None) -> tuple[date | None, date | None]:
    if first is not None and second is not None and first > second:
        return second, first
    return first, second


def _parsed(value: Any) -> Any:
    """The response with its instants parsed, to compare with the reference's datetimes."""
    if isinstance(value, list):
        return [_parsed(item) for item in value]
    if isinstance(value, dict):
        return {
            key: datetime.fromisoformat(item)
            if key.endswith("_at") and isinstance(item, str)
            else _parsed(item)
            for key, item in value.items()
        }
    return value


@pytest.mark.anyio
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history_spec=histories(),
    first=days,
    second=days,
    zone=st.sampled_from(ZONES),
    week_starts_on=st.sampled_from(["monday", "sunday"]),
)
async def test_stats_and_records_equal_the_reference(
    client: httpx.AsyncClient,
    db: AsyncSession,
    history_spec: list[dict[str, Any]],
    first: date | None,
    second: date | None,
    zone: str,
    week_starts_on: str,
) -> None:
    # A fresh user per example: the test's transaction keeps the earlier examples' rows.
    user = await register_user(client)
    preferences = {"timezone": zone, "week_starts_on": week_starts_on}
    response = await client.patch(PREFERENCES, json=preferences, headers=user.headers)
    assert response.status_code == 200
    calendar = reference.Calendar(ZoneInfo(zone), 0 if week_starts_on == "monday" else 6)
    history = History(db, user.id)
    exercise_ids = [await history.exercise(name) for name in EXERCISES]
    for spec in history_spec:
        day = FIRST_DAY + timedelta(days=spec["day"])
        workout = history.workout(f"{day.isoformat()}T{spec['time']}Z", minutes=spec["minutes"])
        for index in spec["exercises"]:
            workout.add(exercise_ids[index], *spec["sets"][index])
    rows = await history.save()
    date_from, date_to = _bounds(first, second)
    params = {
        key: value.isoformat()
        for key, value in (("from", date_from), ("to", date_to))
        if value is not None
    }

    stats = await client.get(STATS, params=params, headers=user.headers)
    records = await client.get(RECORDS, params=params, headers=user.headers)

    assert stats.status_code == records.status_code == 200
    assert _parsed(stats.json()) == reference.stats(
        rows,
        history.names,
        today=calendar.day(NOW),
        date_from=date_from,
        date_to=date_to,
        calendar=calendar,
    )
    assert _parsed(records.json()) == reference.records(
        rows, history.names, date_from=date_from, date_to=date_to, calendar=calendar
    )


async def _count_queries(client: httpx.AsyncClient, user: UserHandle, queries: Any) -> list[int]:
    counts = []
    for path in (STATS, RECORDS):
        queries.reset()
        response = await client.get(path, headers=user.headers)
        assert response.status_code == 200
        counts.append(queries.count)
    return counts


async def test_queries_per_request_are_few_and_do_not_grow_with_history(
    client: httpx.AsyncClient, user: UserHandle, history: History, queries: Any
) -> None:
    bench = await history.exercise("Bench Press")
    squat = await history.exercise("Back Squat")
    history.workout("2026-11-02T17:00:00Z").add(bench, *sets(3, 100, 5))
    await history.save()
    small = await _count_queries(client, user, queries)

    start = datetime(2024, 1, 1, 17, tzinfo=UTC)
    for week in range(100):
        history.workout(start + timedelta(weeks=week)).add(bench, *sets(4, 100, 5)).add(
            squat, *sets(4, 120 + week, 3)
        )
    await history.save()
    large = await _count_queries(client, user, queries)

    # The time zone and week start, with the session check (1), then stats: workouts per week,
    # sets per exercise, sets per week of the weekly window (3); records: one query.
    assert small == large == [4, 2]
