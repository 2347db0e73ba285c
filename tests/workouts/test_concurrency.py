"""Concurrent requests against a database that commits: what a phone retrying on a bad
connection, or two devices of one lifter, do."""

import asyncio
import secrets
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ironlog.models import Exercise
from tests.conftest import UserHandle, register_user
from tests.exercises.conftest import refused_while_its_exercise_is_deleted
from tests.workouts.conftest import WORKOUTS, a_set


async def live_user(client: httpx.AsyncClient) -> UserHandle:
    return await register_user(client, email=f"live-{secrets.token_hex(6)}@example.com")


async def system_exercise(client: httpx.AsyncClient) -> str:
    app = client._transport.app  # type: ignore[attr-defined]
    async with app.state.sessionmaker() as session:
        exercise_id = await session.scalar(
            select(Exercise.id).where(Exercise.user_id.is_(None)).order_by(Exercise.name).limit(1)
        )
    return str(exercise_id)


async def test_two_writers_with_the_same_etag_cannot_both_succeed(
    live_client: httpx.AsyncClient,
) -> None:
    user = await live_user(live_client)
    created = await live_client.post(WORKOUTS, json={"name": "Shared"}, headers=user.headers)
    path = f"{WORKOUTS}/{created.json()['id']}"
    headers = {**user.headers, "If-Match": created.headers["etag"]}
    responses = await asyncio.gather(
        *(live_client.patch(path, json={"name": f"Writer {n}"}, headers=headers) for n in range(4))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 412, 412, 412]
    winner = next(r for r in responses if r.status_code == 200).json()["name"]
    assert (await live_client.get(path, headers=user.headers)).json()["name"] == winner


async def test_concurrent_retries_with_one_key_create_one_workout(
    live_client: httpx.AsyncClient,
) -> None:
    user = await live_user(live_client)
    headers = {**user.headers, "Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(
        *(live_client.post(WORKOUTS, json={"name": "Once"}, headers=headers) for _ in range(5))
    )
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["id"] for response in responses}) == 1
    listed = (await live_client.get(WORKOUTS, headers=user.headers)).json()
    assert listed["total"] == 1


async def test_concurrent_set_additions_keep_positions_contiguous(
    live_client: httpx.AsyncClient,
) -> None:
    user = await live_user(live_client)
    exercise_id = await system_exercise(live_client)
    created = await live_client.post(
        WORKOUTS,
        json={"name": "Busy", "exercises": [{"exercise_id": exercise_id}]},
        headers=user.headers,
    )
    path = f"{WORKOUTS}/{created.json()['id']}"
    responses = await asyncio.gather(
        *(
            live_client.post(
                f"{path}/exercises/{exercise_id}/sets", json=a_set(reps=n), headers=user.headers
            )
            for n in range(10)
        )
    )
    assert all(response.status_code == 201 for response in responses)
    sets: list[dict[str, Any]] = (await live_client.get(path, headers=user.headers)).json()[
        "exercises"
    ][0]["sets"]
    assert [s["position"] for s in sets] == list(range(10))
    assert sorted(s["reps"] for s in sets) == list(range(10))


@pytest.mark.parametrize("client_chooses_id", [False, True])
async def test_an_exercise_deleted_while_a_create_uses_it_is_422_and_nothing_written(
    live_client: httpx.AsyncClient, client_chooses_id: bool
) -> None:
    """The create's statement finds the lifter's exercise visible while another transaction is
    deleting it; the delete commits before the create's foreign-key check. The create is 422
    `unknown_exercise` with nothing written: not a 500, and not a 409 for a client's own id."""
    user = await live_user(live_client)
    workout_id = str(uuid.uuid4())

    def body_with(exercise_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": "Racing a delete",
            "exercises": [{"exercise_id": exercise_id, "sets": [a_set(reps=5)]}],
        }
        if client_chooses_id:
            body["id"] = workout_id
        return body

    await refused_while_its_exercise_is_deleted(live_client, user, WORKOUTS, body_with)
    gone = await live_client.get(f"{WORKOUTS}/{workout_id}", headers=user.headers)
    assert gone.status_code == 404
