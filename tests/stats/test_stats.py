"""`GET /users/me/stats` on hand-built histories; "now" is Thursday 2026-11-26 (conftest)."""

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle
from tests.stats.history import History, sets, skipped, timed, warmup, working

STATS = "/api/v1/users/me/stats"
THIS_WEEK = date(2026, 11, 23)


def monday(weeks_ago: int) -> date:
    return THIS_WEEK - timedelta(weeks=weeks_ago)


def at(day: date, clock: str = "17:00:00") -> str:
    return f"{day.isoformat()}T{clock}Z"


async def get_stats(client: httpx.AsyncClient, user: UserHandle, **params: str) -> dict[str, Any]:
    response = await client.get(STATS, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def week(body: dict[str, Any], start: date) -> dict[str, Any]:
    return next(item for item in body["weekly"] if item["week_start"] == start.isoformat())


async def test_empty_account_has_zeros_nulls_and_twelve_empty_weeks(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    body = await get_stats(client, user)
    assert body == {
        "from": None,
        "to": None,
        "total_workouts": 0,
        "finished_workouts": 0,
        "total_sets": 0,
        "total_reps": 0,
        "total_volume_kg": 0.0,
        "total_duration_seconds": 0,
        "first_workout_at": None,
        "last_workout_at": None,
        "current_streak_weeks": 0,
        "longest_streak_weeks": 0,
        "weekly": [
            {"week_start": monday(back).isoformat(), "workouts": 0, "sets": 0, "volume_kg": 0.0}
            for back in range(11, -1, -1)
        ],
        "top_exercises": [],
    }


async def test_only_completed_non_warmup_sets_count(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    squat = await history.exercise("Back Squat")
    history.workout("2026-11-02T17:00:00Z", minutes=75).add(
        bench, warmup(60, 10), *sets(3, 100, 5), skipped(100, 5)
    ).add(squat, warmup(60, 5), working(140, 3, "failure"), working(120, 6, "drop"))
    await history.save()

    body = await get_stats(client, user)

    assert body["total_workouts"] == 1
    assert body["finished_workouts"] == 1
    assert body["total_sets"] == 5
    assert body["total_reps"] == 15 + 3 + 6
    assert body["total_volume_kg"] == 1500.0 + 420.0 + 720.0
    assert body["total_duration_seconds"] == 75 * 60
    assert body["first_workout_at"] == body["last_workout_at"] == "2026-11-02T17:00:00Z"
    assert body["top_exercises"] == [
        {"exercise_id": str(bench), "name": "Bench Press", "sets": 3, "volume_kg": 1500.0},
        {"exercise_id": str(squat), "name": "Back Squat", "sets": 2, "volume_kg": 1140.0},
    ]
    assert week(body, date(2026, 11, 2)) == {
        "week_start": "2026-11-02",
        "workouts": 1,
        "sets": 5,
        "volume_kg": 2640.0,
    }


async def test_sets_without_weight_or_reps_count_but_add_no_volume(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    pull_up = await history.exercise("Pull-Up")
    plank = await history.exercise("Plank")
    history.workout(at(monday(0))).add(pull_up, *sets(2, None, 8)).add(plank, timed(60))
    await history.save()

    body = await get_stats(client, user)

    assert (body["total_sets"], body["total_reps"], body["total_volume_kg"]) == (3, 16, 0.0)


async def test_workout_in_progress_counts_without_duration(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    history.workout("2026-11-16T17:00:00Z", minutes=30).add(bench, *sets(1, 100, 5))
    history.workout("2026-11-25T18:00:00Z", minutes=None).add(bench, *sets(2, 80, 10))
    await history.save()

    body = await get_stats(client, user)

    assert body["total_workouts"] == 2
    assert body["finished_workouts"] == 1
    assert body["total_duration_seconds"] == 30 * 60
    assert body["total_sets"] == 3
    assert body["total_volume_kg"] == 500.0 + 1600.0
    assert body["last_workout_at"] == "2026-11-25T18:00:00Z"


async def test_duration_sums_whole_seconds_of_each_finished_workout(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    history.workout("2026-11-02T17:00:00.250000Z", minutes=1.5 + 0.7 / 60)  # 90.7 s
    history.workout("2026-11-03T17:00:00.900000Z", minutes=0.5)  # 30 s exactly
    await history.save()

    body = await get_stats(client, user)

    assert body["total_duration_seconds"] == 90 + 30


async def test_volume_keeps_two_decimals(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    curl = await history.exercise("Barbell Curl")
    history.workout(at(monday(1))).add(curl, working(33.33, 3), working(0.01, 1))
    await history.save()

    body = await get_stats(client, user)

    assert body["total_volume_kg"] == 100.0
    assert body["top_exercises"][0]["volume_kg"] == 100.0
    assert week(body, monday(1))["volume_kg"] == 100.0


async def test_weekly_is_the_twelve_weeks_ending_this_week_oldest_first(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    history.workout(at(monday(12) + timedelta(days=6), "23:00:00")).add(bench, *sets(1, 50, 10))
    history.workout(at(monday(11))).add(bench, *sets(2, 100, 5))
    history.workout(at(monday(11) + timedelta(days=6), "23:59:59.999999")).add(
        bench, *sets(1, 100, 1)
    )
    history.workout(at(monday(0), "00:00:00")).add(bench, *sets(3, 100, 2))
    await history.save()

    body = await get_stats(client, user)

    assert [item["week_start"] for item in body["weekly"]] == [
        monday(back).isoformat() for back in range(11, -1, -1)
    ]
    assert body["weekly"][0] == {
        "week_start": monday(11).isoformat(),
        "workouts": 2,
        "sets": 3,
        "volume_kg": 1100.0,
    }
    assert body["weekly"][-1] == {
        "week_start": THIS_WEEK.isoformat(),
        "workouts": 1,
        "sets": 3,
        "volume_kg": 600.0,
    }
    assert all(item["workouts"] == 0 for item in body["weekly"][1:-1])
    # The workout 12 weeks ago is outside the weekly window but in the totals.
    assert body["total_workouts"] == 4
    assert body["total_sets"] == 7


async def test_a_week_without_workout_breaks_the_streak_and_this_empty_week_does_not(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    # Weeks 8..5 ago (4 in a row), none 4 weeks ago, then 3..1 weeks ago; none yet this week.
    for weeks_ago in (8, 7, 6, 5, 3, 2, 1):
        history.workout(at(monday(weeks_ago) + timedelta(days=2)))
    history.workout(at(monday(7) + timedelta(days=4)))  # a second workout in one week
    await history.save()

    body = await get_stats(client, user)

    assert body["current_streak_weeks"] == 3
    assert body["longest_streak_weeks"] == 4


async def test_a_workout_this_week_extends_the_current_streak(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    for weeks_ago in (2, 1, 0):
        history.workout(at(monday(weeks_ago)))
    await history.save()

    body = await get_stats(client, user)

    assert (body["current_streak_weeks"], body["longest_streak_weeks"]) == (3, 3)


async def test_two_weeks_without_workout_end_the_current_streak(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    for weeks_ago in (4, 3, 2):
        history.workout(at(monday(weeks_ago)))
    await history.save()

    body = await get_stats(client, user)

    assert (body["current_streak_weeks"], body["longest_streak_weeks"]) == (0, 3)


async def test_weeks_are_iso_weeks_in_utc(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    # Sunday 23:30 in UTC is last week, whatever the offset it was sent with.
    history.workout("2026-11-23T00:30:00+01:00")  # Sunday 2026-11-22 23:30 UTC
    await history.save()

    body = await get_stats(client, user)

    assert week(body, monday(1))["workouts"] == 1
    assert week(body, THIS_WEEK)["workouts"] == 0
    assert body["current_streak_weeks"] == 1


async def test_to_is_inclusive_up_to_the_last_microsecond_of_its_day(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    history.workout("2026-11-10T23:59:59Z").add(bench, *sets(1, 100, 5))
    history.workout("2026-11-10T23:59:59.999999Z").add(bench, *sets(1, 100, 3))
    history.workout("2026-11-11T00:00:00Z").add(bench, *sets(1, 100, 1))
    await history.save()

    body = await get_stats(client, user, to="2026-11-10")

    assert body["to"] == "2026-11-10"
    assert body["total_workouts"] == 2
    assert body["total_reps"] == 8
    assert body["last_workout_at"] == "2026-11-10T23:59:59.999999Z"


async def test_from_is_inclusive_from_midnight(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    history.workout("2026-11-09T23:59:59.999999Z").add(bench, *sets(1, 100, 1))
    history.workout("2026-11-10T00:00:00Z").add(bench, *sets(1, 100, 5))
    await history.save()

    body = await get_stats(client, user, **{"from": "2026-11-10"})

    assert body["from"] == "2026-11-10"
    assert body["to"] is None
    assert body["total_workouts"] == 1
    assert body["first_workout_at"] == "2026-11-10T00:00:00Z"


async def test_with_to_the_current_week_is_the_week_of_to(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    # Weeks of 2026-10-05, -12 and -19; to = Wednesday 2026-10-28 (its week has no workout).
    for day in ("2026-10-06", "2026-10-13", "2026-10-20"):
        history.workout(f"{day}T17:00:00Z").add(bench, *sets(1, 100, 5))
    history.workout("2026-10-29T17:00:00Z").add(bench, *sets(1, 100, 5))  # after `to`
    history.workout(at(monday(0))).add(bench, *sets(1, 100, 5))  # this week, after `to`
    await history.save()

    body = await get_stats(client, user, **{"from": "2026-10-01", "to": "2026-10-28"})

    assert body["total_workouts"] == 3
    assert body["weekly"][-1]["week_start"] == "2026-10-26"
    assert body["weekly"][0]["week_start"] == "2026-08-10"
    assert [item["workouts"] for item in body["weekly"][-4:]] == [1, 1, 1, 0]
    assert body["current_streak_weeks"] == 3
    assert body["longest_streak_weeks"] == 3


async def test_from_limits_streaks_too(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    for weeks_ago in (4, 3, 2, 1):
        history.workout(at(monday(weeks_ago)))
    await history.save()

    body = await get_stats(client, user, **{"from": monday(2).isoformat()})

    assert (body["current_streak_weeks"], body["longest_streak_weeks"]) == (2, 2)
    assert body["total_workouts"] == 2


async def test_another_users_data_is_never_counted(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    history: History,
    db: AsyncSession,
) -> None:
    bench = await history.exercise("Bench Press")
    history.workout(at(monday(1))).add(bench, *sets(1, 100, 5))
    await history.save()
    theirs = History(db, other_user.id)
    theirs.workout(at(monday(1), "09:00:00")).add(bench, *sets(5, 200, 5))
    theirs.workout(at(monday(0))).add(bench, *sets(5, 200, 5))
    await theirs.save()

    body = await get_stats(client, user)

    assert body["total_workouts"] == 1
    assert body["total_sets"] == 1
    assert body["total_volume_kg"] == 500.0
    assert body["current_streak_weeks"] == 1
    assert body["top_exercises"][0]["sets"] == 1


async def test_top_exercises_are_five_by_sets_then_by_name(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    names = ["Zercher Squat", "arnold press", "Bench Press", "Deadlift", "curl", "Dip"]
    ids = {name: await history.exercise(name) for name in names}
    counts = {"Zercher Squat": 4, "arnold press": 2, "Bench Press": 2, "Deadlift": 2}
    counts |= {"curl": 2, "Dip": 1}
    workout = history.workout(at(monday(0)))
    for name, count in counts.items():
        workout.add(ids[name], *sets(count, 10, 1))
    await history.save()

    body = await get_stats(client, user)

    # Names compare case-insensitively: "arnold press" before "Bench Press".
    assert [item["name"] for item in body["top_exercises"]] == [
        "Zercher Squat",
        "arnold press",
        "Bench Press",
        "curl",
        "Deadlift",
    ]


async def test_stats_need_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get(STATS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("preferences", [False, True])
@pytest.mark.parametrize("params", [{}, {"from": "2026-11-01"}, {"from": "2026-11-10", "to": "1"}])
async def test_an_ended_session_is_401_whatever_the_query(
    client: httpx.AsyncClient, user: UserHandle, params: dict[str, str], preferences: bool
) -> None:
    """The session is checked by the statement that reads the preferences (with or without a
    row of them), and before a bad query is refused: signed out is 401, never 200 or 422."""
    if preferences:
        response = await client.patch(
            "/api/v1/users/me/preferences", json={"timezone": "Asia/Tokyo"}, headers=user.headers
        )
        assert response.status_code == 200
    for path in (STATS, "/api/v1/users/me/records"):
        assert (await client.get(path, headers=user.headers)).status_code == 200
    response = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})
    assert response.status_code == 204
    for path in (STATS, "/api/v1/users/me/records"):
        response = await client.get(path, params=params, headers=user.headers)
        assert response.status_code == 401, (path, params, response.text)
        assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-11-10", "to": "2026-11-09"},
        {"from": "2026-13-01"},
        {"to": "2026-02-30"},
        {"from": "yesterday"},
        {"to": "2026-11-10T00:00:00Z"},
        {"from": "20261110"},
        {"to": "1700000000"},
        {"from": ""},
    ],
)
async def test_bad_dates_are_422(
    client: httpx.AsyncClient, user: UserHandle, params: dict[str, str]
) -> None:
    for path in (STATS, "/api/v1/users/me/records"):
        response = await client.get(path, params=params, headers=user.headers)
        assert response.status_code == 422, (path, params, response.text)
        body = response.json()
        assert body["code"] == "validation_error"
        assert body["errors"][0]["loc"][0] == "query"


async def test_from_equal_to_is_one_day(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    history.workout("2026-11-10T12:00:00Z")
    history.workout("2026-11-11T12:00:00Z")
    await history.save()

    body = await get_stats(client, user, **{"from": "2026-11-10", "to": "2026-11-10"})

    assert body["total_workouts"] == 1


@pytest.mark.parametrize(
    ("params", "weeks"),
    [
        ({"from": "0001-01-01", "to": "9999-12-31"}, 12),
        ({"to": "0001-01-01"}, 1),
        ({"to": "0001-02-01"}, 5),
    ],
)
async def test_calendar_ends_are_answered(
    client: httpx.AsyncClient,
    user: UserHandle,
    history: History,
    params: dict[str, str],
    weeks: int,
) -> None:
    history.workout(at(monday(0)))
    await history.save()

    body = await get_stats(client, user, **params)

    assert len(body["weekly"]) == weeks
    assert body["total_workouts"] == (1 if params["to"] == "9999-12-31" else 0)


async def test_routes_are_documented_under_the_stats_tag(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    assert "stats" in [tag["name"] for tag in document["tags"]]
    for path in (STATS, "/api/v1/users/me/records"):
        operation = document["paths"][path]["get"]
        assert operation["tags"] == ["stats"]
        assert [parameter["name"] for parameter in operation["parameters"]] == ["from", "to"]
        assert {"200", "401", "422"} <= set(operation["responses"])
    properties = document["components"]["schemas"]["StatsRead"]["properties"]
    assert list(properties)[:2] == ["from", "to"]
