"""Dates, times and numbers at the calendar's ends are 422s, never 500s (date arithmetic that
overflows, a CSV cell over the csv module's limit). Instants and dates a client sends must be in
the years 1900..2999; import durations are at most a year."""

import httpx
import pytest

from tests.conftest import UserHandle
from tests.portability.helpers import upload

WORKOUTS = "/api/v1/workouts"
STRONG_HEADER = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
    "Workout Notes,RPE\n"
)
RANGE = "Value error, must be in the years 1900 to 2999"


@pytest.mark.parametrize(
    "query", ["to=9999-12-31", "from=0001-01-01", "to=1899-12-31", "from=3000-01-01"]
)
async def test_workout_filters_outside_the_supported_years_are_422(
    client: httpx.AsyncClient, user: UserHandle, query: str
) -> None:
    response = await client.get(f"{WORKOUTS}?{query}", headers=user.headers)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["loc"] == ["query", query.split("=", maxsplit=1)[0]]
    assert error["msg"] == RANGE


async def test_workout_filters_at_the_supported_ends_work(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    await client.post(
        WORKOUTS, json={"name": "Old", "started_at": "1900-01-01T00:00:00Z"}, headers=user.headers
    )
    response = await client.get(f"{WORKOUTS}?from=1900-01-01&to=2999-12-31", headers=user.headers)
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["Old"]


@pytest.mark.parametrize(
    "started_at",
    [
        "9999-12-31T23:00:00-05:00",  # past year 9999 once in UTC: Python overflows
        "0001-01-01T00:00:00+05:00",  # before year 1 once in UTC
        "9999-12-31T23:59:59.999999Z",  # PostgreSQL rounds it to infinity
        "1899-12-31T23:59:59Z",
        "3000-01-01T00:00:00Z",
    ],
)
async def test_instants_outside_the_supported_years_are_422(
    client: httpx.AsyncClient, user: UserHandle, started_at: str
) -> None:
    response = await client.post(
        WORKOUTS, json={"name": "W", "started_at": started_at}, headers=user.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "started_at"]
    listed = await client.get(WORKOUTS, headers=user.headers)
    assert listed.json()["total"] == 0


@pytest.mark.parametrize("started_at", [0, 5.5, 1_700_000_000, "0", "1700000000", "1700000000.5"])
async def test_a_number_is_not_an_instant(
    client: httpx.AsyncClient, user: UserHandle, started_at: object
) -> None:
    # Pydantic's lax mode took these for Unix timestamps (0 was 1970-01-01); the schema says a
    # date-time string.
    response = await client.post(
        WORKOUTS, json={"name": "W", "started_at": started_at}, headers=user.headers
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "started_at"]
    assert "2026-11-20T17:30:00Z" in error["msg"]
    created = await client.post(WORKOUTS, json={"name": "W"}, headers=user.headers)
    workout = created.json()
    for path, body in (
        (f"{WORKOUTS}/{workout['id']}", {"started_at": started_at}),
        (f"{WORKOUTS}/{workout['id']}/finish", {"finished_at": started_at}),
    ):
        method = "PATCH" if path.endswith(workout["id"]) else "POST"
        response = await client.request(method, path, json=body, headers=user.headers)
        assert response.status_code == 422, (path, response.text)
    stored = (await client.get(f"{WORKOUTS}/{workout['id']}", headers=user.headers)).json()
    assert (stored["started_at"], stored["status"]) == (workout["started_at"], "in_progress")


async def test_finish_at_the_end_of_time_is_422(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    created = await client.post(WORKOUTS, json={"name": "W"}, headers=user.headers)
    workout_id = created.json()["id"]
    response = await client.post(
        f"{WORKOUTS}/{workout_id}/finish",
        json={"finished_at": "9999-12-31T23:59:59.999999Z"},
        headers=user.headers,
    )
    assert response.status_code == 422
    stored = await client.get(f"{WORKOUTS}/{workout_id}", headers=user.headers)
    assert stored.json()["status"] == "in_progress"


async def test_a_workout_spanning_the_supported_years_is_served_and_counted(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    created = await client.post(
        WORKOUTS, json={"name": "Long", "started_at": "1900-01-01T00:00:00Z"}, headers=user.headers
    )
    finished = await client.post(
        f"{WORKOUTS}/{created.json()['id']}/finish",
        json={"finished_at": "2999-12-31T23:59:59Z"},
        headers=user.headers,
    )
    assert finished.status_code == 200
    # 1100 years with 267 leap days: 401767 days, less one second.
    assert finished.json()["duration_seconds"] == 401_767 * 86_400 - 1 == 34_712_668_799
    stats = await client.get("/api/v1/users/me/stats", headers=user.headers)
    assert stats.status_code == 200
    assert stats.json()["total_duration_seconds"] == 34_712_668_799
    assert (await client.get("/api/v1/export?format=csv", headers=user.headers)).status_code == 200


@pytest.mark.parametrize(
    ("row", "timezone", "message"),
    [
        (
            "9999-12-31 23:59:59,W,1h,Bench Press,1,100,5,,,,,",
            "Pacific/Niue",
            "date 9999-12-31 is outside the years 1900 to 2999",
        ),
        (
            "0001-01-01 00:00:00,W,1h,Bench Press,1,100,5,,,,,",
            "Pacific/Kiritimati",
            "date 0001-01-01 is outside the years 1900 to 2999",
        ),
        (
            "2024-01-01 10:00:00,W,99999999999999h,Bench Press,1,100,5,,,,,",
            "UTC",
            "Duration '99999999999999h' is longer than a year",
        ),
    ],
)
async def test_import_dates_and_durations_that_overflow_are_row_errors(
    client: httpx.AsyncClient, user: UserHandle, row: str, timezone: str, message: str
) -> None:
    response = await upload(
        client, user, (STRONG_HEADER + row + "\n").encode(), source="strong", timezone=timezone
    )
    assert response.status_code == 422
    assert response.json()["code"] == "import_invalid"
    assert response.json()["errors"] == [{"row": 2, "message": message}]


async def test_import_cell_over_the_csv_field_limit_is_422(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    good = "2024-01-01 10:00:00,W,1h,Bench Press,1,100,5,,,,,\n"
    huge = "2024-01-02 10:00:00,W,1h,Bench Press,1,100,5,,," + "n" * (1024 * 1024 + 1) + ",,\n"
    for skip in ("false", "true"):
        response = await upload(
            client,
            user,
            (STRONG_HEADER + good + huge).encode(),
            source="strong",
            skip_invalid_rows=skip,
        )
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "import_invalid"
        assert body["errors"] == [
            {"row": 3, "message": "unreadable CSV: field larger than field limit (1048576)"}
        ]
    listed = await client.get(WORKOUTS, headers=user.headers)
    assert listed.json()["total"] == 0
