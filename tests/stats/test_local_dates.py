"""Local dates: the user's time zone decides a workout's day and week for `from` / `to`
(statistics, records, the workout list), weekly figures and streaks; weeks start on the
user's `week_starts_on`. "Now" is 2026-11-26 12:00 UTC (conftest)."""

from typing import Any

import httpx
import pytest

from tests.conftest import UserHandle
from tests.stats.history import History, sets

STATS = "/api/v1/users/me/stats"
RECORDS = "/api/v1/users/me/records"
WORKOUTS = "/api/v1/workouts"
PREFERENCES = "/api/v1/users/me/preferences"

# Los Angeles leaves daylight-saving time on Sunday 2026-11-01 at 02:00 (09:00 UTC).
# Saturday 2026-10-31 23:30 PDT (-7), Sunday 2026-11-01 00:30 PDT, Saturday 2026-11-07
# 23:30 PST (-8).
LA_OCT_31_2330 = "2026-11-01T06:30:00Z"
LA_NOV_01_0030 = "2026-11-01T07:30:00Z"
LA_NOV_07_2330 = "2026-11-08T07:30:00Z"
# Tokyo (+9, no daylight saving): Monday 2026-11-02 00:30 is Sunday 15:30 UTC.
TOKYO_NOV_02_0030 = "2026-11-01T15:30:00Z"


async def _prefer(client: httpx.AsyncClient, user: UserHandle, **preferences: str) -> None:
    response = await client.patch(PREFERENCES, json=preferences, headers=user.headers)
    assert response.status_code == 200, response.text


async def _get(client: httpx.AsyncClient, user: UserHandle, path: str, **params: str) -> Any:
    response = await client.get(path, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _workout_starts(client: httpx.AsyncClient, user: UserHandle, **params: str) -> list[str]:
    body = await _get(client, user, WORKOUTS, **params)
    return [item["started_at"] for item in body["items"]]


@pytest.fixture
async def los_angeles(client: httpx.AsyncClient, user: UserHandle, history: History) -> History:
    await _prefer(client, user, timezone="America/Los_Angeles", week_starts_on="sunday")
    bench = await history.exercise("Bench Press")
    for start in (LA_OCT_31_2330, LA_NOV_01_0030, LA_NOV_07_2330):
        history.workout(start).add(bench, *sets(2, 100, 5))
    await history.save()
    return history


async def test_weeks_are_local_sunday_weeks_across_the_daylight_saving_change(
    client: httpx.AsyncClient, user: UserHandle, los_angeles: History
) -> None:
    body = await _get(client, user, STATS, to="2026-11-07")

    # In UTC all three fall on Sunday 11-01 or 11-08; in Los Angeles Saturday 10-31 is in the
    # week of Sunday 10-25, and 11-01 and 11-07 in the week of Sunday 11-01.
    assert body["weekly"][-2:] == [
        {"week_start": "2026-10-25", "workouts": 1, "sets": 2, "volume_kg": 1000.0},
        {"week_start": "2026-11-01", "workouts": 2, "sets": 4, "volume_kg": 2000.0},
    ]
    assert body["weekly"][0]["week_start"] == "2026-08-16"  # 11 weeks before 11-01
    assert (body["current_streak_weeks"], body["longest_streak_weeks"]) == (2, 2)


async def test_from_and_to_are_local_dates_on_both_sides_of_midnight(
    client: httpx.AsyncClient, user: UserHandle, los_angeles: History
) -> None:
    one_day = {"from": "2026-11-01", "to": "2026-11-01"}
    assert (await _get(client, user, STATS, **one_day))["total_workouts"] == 1
    assert await _workout_starts(client, user, **one_day) == [LA_NOV_01_0030]
    [record] = await _get(client, user, RECORDS, **one_day)
    assert record["heaviest_weight_at"] == LA_NOV_01_0030

    # 11-07 23:30 is 11-08 in UTC but still the 7th in Los Angeles.
    assert await _workout_starts(client, user, **{"from": "2026-11-07"}) == [LA_NOV_07_2330]
    assert await _workout_starts(client, user, **{"from": "2026-11-08"}) == []
    assert (await _get(client, user, STATS, **{"from": "2026-11-08"}))["total_workouts"] == 0
    assert await _get(client, user, RECORDS, **{"from": "2026-11-08"}) == []
    assert await _workout_starts(client, user, to="2026-10-31") == [LA_OCT_31_2330]
    stats = await _get(client, user, STATS, to="2026-10-31")
    assert (stats["total_workouts"], stats["last_workout_at"]) == (1, LA_OCT_31_2330)


async def test_this_week_is_the_local_week_of_now(
    client: httpx.AsyncClient, user: UserHandle, los_angeles: History
) -> None:
    # Thursday 2026-11-26 04:00 in Los Angeles: the week of Sunday 11-22, with no workout; the
    # last workout's week (11-01) is three weeks earlier, so no current streak.
    body = await _get(client, user, STATS)
    assert body["weekly"][-1]["week_start"] == "2026-11-22"
    assert (body["current_streak_weeks"], body["longest_streak_weeks"]) == (0, 2)


async def test_a_tokyo_workout_after_midnight_counts_on_the_local_monday(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    await _prefer(client, user, timezone="Asia/Tokyo")
    squat = await history.exercise("Back Squat")
    history.workout(TOKYO_NOV_02_0030).add(squat, *sets(1, 140, 3))
    await history.save()

    body = await _get(client, user, STATS, to="2026-11-02")
    assert body["weekly"][-2:] == [
        {"week_start": "2026-10-26", "workouts": 0, "sets": 0, "volume_kg": 0.0},
        {"week_start": "2026-11-02", "workouts": 1, "sets": 1, "volume_kg": 420.0},
    ]
    assert body["current_streak_weeks"] == 1
    assert await _workout_starts(client, user, **{"from": "2026-11-02"}) == [TOKYO_NOV_02_0030]
    assert await _workout_starts(client, user, to="2026-11-01") == []
    assert (await _get(client, user, STATS, to="2026-11-01"))["total_workouts"] == 0

    # The same instant for a UTC user is on Sunday 11-01, in the Monday week of 10-26.
    await _prefer(client, user, timezone="UTC")
    body = await _get(client, user, STATS, to="2026-11-02")
    assert [week["workouts"] for week in body["weekly"][-2:]] == [1, 0]
    assert await _workout_starts(client, user, to="2026-11-01") == [TOKYO_NOV_02_0030]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Los_Angeles", "UTC"])
@pytest.mark.parametrize(
    "params",
    [
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"from": "9999-12-31"},
        {"to": "0001-01-01"},
    ],
)
async def test_the_calendars_ends_are_answered_not_500(
    client: httpx.AsyncClient,
    user: UserHandle,
    los_angeles: History,
    zone: str,
    params: dict[str, str],
) -> None:
    await _prefer(client, user, timezone=zone)
    everything = "to" not in params or params["to"] == "9999-12-31"
    expected = 3 if everything and params.get("from", "0001-01-01") == "0001-01-01" else 0
    # The workout list takes dates of the years 1900..2999 only: beyond them it is a 422.
    listed = await client.get(WORKOUTS, params=params, headers=user.headers)
    assert listed.status_code == 422, listed.text
    assert listed.json()["code"] == "validation_error"
    assert (await _get(client, user, STATS, **params))["total_workouts"] == expected
    assert len(await _get(client, user, RECORDS, **params)) == min(expected, 1)
