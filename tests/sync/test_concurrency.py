"""Concurrent writers never make a reader skip a change: the guarantee the per-user change
counter gives by construction (docs/sync.md), checked against databases that really commit."""

import asyncio
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, update

from ironlog.changes import record as changes
from ironlog.core.db import create_engine
from ironlog.models import User, Workout
from tests.conftest import BACKENDS, UserHandle, make_settings, register_user
from tests.live_server import live_server
from tests.sync.conftest import Replica, after_default_preferences, read_page, server_state
from tests.workouts.conftest import WORKOUTS


async def test_a_write_that_commits_late_still_comes_after_the_readers_cursor(
    live_client: httpx.AsyncClient,
) -> None:
    """The classic pitfall: a change numbered before a reader's read, committed after it.
    Here the number is taken under the user's row lock, so a later writer waits for it."""
    user = await register_user(live_client, email=f"live-{secrets.token_hex(6)}@example.com")
    slow_id = (await live_client.post(WORKOUTS, json={"name": "A"}, headers=user.headers)).json()
    fast_id = (await live_client.post(WORKOUTS, json={"name": "B"}, headers=user.headers)).json()
    app = live_client._transport.app  # type: ignore[attr-defined]
    async with app.state.sessionmaker() as session, session.begin():
        seq = await changes.next_seq(session, user.id)
        await session.execute(
            update(Workout)
            .where(Workout.id == uuid.UUID(slow_id["id"]))
            .values(name="Slow", change_seq=seq)
        )
        fast = asyncio.create_task(
            live_client.patch(
                f"{WORKOUTS}/{fast_id['id']}", json={"name": "Fast"}, headers=user.headers
            )
        )
        before = await read_page(live_client, user, None)
        workouts = after_default_preferences(user, before["changes"])
        assert {c["data"]["name"] for c in workouts} == {"A", "B"}
    assert (await fast).status_code == 200

    after = await read_page(live_client, user, before["cursor"])

    assert [(c["data"]["name"], c["version"]) for c in after["changes"]] == [
        ("Slow", 3),
        ("Fast", 4),
    ]


async def _writer(
    client: httpx.AsyncClient, user: UserHandle, number: int, rounds: int, read: asyncio.Event
) -> None:
    """`rounds` rounds of writes; the second half only once `read` is set (a sync read has
    come back), so that reads and writes interleave however fast either goes."""
    exercise = await client.get("/api/v1/exercises/system", params={"size": 1})
    exercise_id = exercise.json()["items"][0]["id"]
    for round_ in range(rounds):
        if round_ == rounds // 2:
            await read.wait()
        body: dict[str, Any] = {
            "name": f"Writer {number} round {round_}",
            "exercises": [{"exercise_id": exercise_id, "sets": [{"reps": round_}]}],
        }
        response = await client.post(WORKOUTS, json=body, headers=user.headers)
        assert response.status_code == 201, response.text
        path = f"{WORKOUTS}/{response.json()['id']}"
        sets = f"{path}/exercises/{exercise_id}/sets"
        response = await client.post(sets, json={"reps": 99}, headers=user.headers)
        assert response.status_code == 201, response.text
        if round_ % 4 == 3:
            assert (await client.delete(path, headers=user.headers)).status_code == 204


@pytest.mark.parametrize("backend", [BACKENDS[1]], scope="session")  # production's setup
async def test_two_server_processes_writing_at_once_skip_no_change(
    database_url: str, tmp_path: Path
) -> None:
    email = f"live-sync-{secrets.token_hex(6)}@example.com"
    try:
        with ExitStack() as servers, ThreadPoolExecutor(2) as starter:
            # Started side by side: each start-up takes seconds.
            first, second = starter.map(
                lambda folder: servers.enter_context(live_server(folder, database_url)),
                [tmp_path / "a", tmp_path / "b"],
            )
            async with (
                httpx.AsyncClient(base_url=first.url, timeout=30) as one,
                httpx.AsyncClient(base_url=second.url, timeout=30) as other,
            ):
                user = await register_user(one, email=email)
                replica = Replica()
                read = asyncio.Event()
                writers = asyncio.gather(
                    *(
                        _writer(client, user, number, rounds=8, read=read)
                        for number, client in enumerate([one, other, one, other])
                    )
                )
                reads = 0
                while not writers.done():  # read through both processes while they write
                    await replica.sync(one if reads % 2 else other, user, limit=1 + reads % 7)
                    reads += 1
                    read.set()
                await writers
                await replica.sync(other, user)
                state = await server_state(one, user)
        assert len(state) == 4 * 6 + 1  # 8 workouts per writer, 2 of them deleted; preferences
        assert replica.objects == state
        assert reads > 1
    finally:
        engine = create_engine(make_settings(database_url, tmp_path / "cleanup"))
        async with engine.begin() as connection:
            await connection.execute(delete(User).where(User.email == email))
        await engine.dispose()
