"""POST /workouts with `status: "finished"`: a past workout logged in one call."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.models import Workout
from tests.conftest import UserHandle
from tests.workouts.conftest import WORKOUTS, a_set, create_workout


async def _count(db: AsyncSession) -> int:
    return await db.scalar(select(func.count()).select_from(Workout)) or 0


async def test_finished_with_finished_at(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    body = await create_workout(
        client,
        user,
        status="finished",
        started_at="2026-11-20T17:30:00Z",
        finished_at="2026-11-20T18:45:30+01:00",
        exercises=[{"exercise_id": str(exercise_ids[0]), "sets": [a_set()]}],
    )
    assert body["status"] == "finished"
    assert body["started_at"] == "2026-11-20T17:30:00Z"
    assert body["finished_at"] == "2026-11-20T17:45:30Z"
    assert body["duration_seconds"] == 930
    read = await client.get(f"{WORKOUTS}/{body['id']}", headers=user.headers)
    assert read.json() == body
    assert read.headers["etag"]
    stored = await db.get(Workout, uuid.UUID(body["id"]))
    assert stored is not None
    assert (stored.status, stored.finished_at) == (
        "finished",
        datetime(2026, 11, 20, 17, 45, 30, tzinfo=UTC),
    )
    # It is finished like any other: changes are 409 until it is reopened.
    response = await client.post(
        f"{WORKOUTS}/{body['id']}/exercises/{exercise_ids[0]}/sets",
        json=a_set(),
        headers=user.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "workout_finished"


async def test_finished_with_duration(client: httpx.AsyncClient, user: UserHandle) -> None:
    body = await create_workout(
        client,
        user,
        status="finished",
        started_at="2026-11-20T17:30:00.250000Z",
        duration_seconds=4500,
    )
    assert body["finished_at"] == "2026-11-20T18:45:00.250000Z"
    assert body["duration_seconds"] == 4500


async def test_finished_with_both_when_they_agree(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    body = await create_workout(
        client,
        user,
        status="finished",
        started_at="2026-11-20T17:30:00Z",
        finished_at="2026-11-20T17:30:00Z",
        duration_seconds=0,
    )
    assert (body["finished_at"], body["duration_seconds"]) == ("2026-11-20T17:30:00Z", 0)


async def test_finished_without_start_ends_at_finished_at(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    body = await create_workout(
        client, user, status="finished", finished_at="2026-11-20T19:00:00Z", duration_seconds=3600
    )
    assert body["started_at"] == "2026-11-20T18:00:00Z"
    assert body["finished_at"] == "2026-11-20T19:00:00Z"


async def test_finished_at_alone_starts_now(client: httpx.AsyncClient, user: UserHandle) -> None:
    before = utc_now()
    finished_at = before + timedelta(hours=2)
    body = await create_workout(
        client, user, status="finished", finished_at=finished_at.isoformat()
    )
    started_at = datetime.fromisoformat(body["started_at"])
    assert before <= started_at <= utc_now()
    assert datetime.fromisoformat(body["finished_at"]) == finished_at


async def test_finished_without_start_or_end_ends_now(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    before = utc_now()
    body = await create_workout(client, user, status="finished", duration_seconds=1800)
    after = utc_now()
    finished_at = datetime.fromisoformat(body["finished_at"])
    assert before <= finished_at <= after
    assert datetime.fromisoformat(body["started_at"]) == finished_at - timedelta(seconds=1800)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "finished"},
        {"status": "finished", "started_at": "2026-11-20T17:30:00Z"},
        {
            "status": "finished",
            "started_at": "2026-11-20T17:30:00Z",
            "finished_at": "2026-11-20T17:29:59Z",
        },
        {
            "status": "finished",
            "started_at": "2026-11-20T17:30:00Z",
            "finished_at": "2026-11-20T18:30:00Z",
            "duration_seconds": 3599,
        },
        # Without started_at it starts now, so a finished_at in the past is before the start.
        {"status": "finished", "finished_at": "2026-11-20T18:30:00Z"},
        {"status": "finished", "started_at": "2026-11-20T17:30:00Z", "duration_seconds": -1},
        {"status": "finished", "started_at": "2026-11-20T17:30:00Z", "duration_seconds": 604_801},
        {"status": "finished", "started_at": "2026-11-20T17:30:00Z", "duration_seconds": "60"},
        {"status": "finished", "finished_at": "2026-11-20T18:30:00", "duration_seconds": 60},
        {"status": "in_progress", "finished_at": "2026-11-20T18:30:00Z"},
        {"duration_seconds": 60},
        {"status": "done", "duration_seconds": 60},
    ],
)
async def test_bad_finished_creates_are_422_and_store_nothing(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, fields: dict[str, Any]
) -> None:
    response = await client.post(WORKOUTS, json={"name": "Past", **fields}, headers=user.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"
    assert await _count(db) == 0


async def test_in_progress_is_still_the_default(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    body = await create_workout(client, user, started_at="2026-11-20T17:30:00Z")
    assert (body["status"], body["finished_at"], body["duration_seconds"]) == (
        "in_progress",
        None,
        None,
    )


async def test_a_finished_create_counts_in_stats_duration(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    await create_workout(
        client, user, status="finished", started_at="2026-11-20T17:30:00Z", duration_seconds=3725
    )
    stats = (await client.get("/api/v1/users/me/stats?to=2026-11-20", headers=user.headers)).json()
    assert (stats["finished_workouts"], stats["total_duration_seconds"]) == (1, 3725)
