"""A create on an app that commits for real: on PostgreSQL its one statement runs alone on the
driver's pool (`core.db.write_in_one_statement`), so a taken id is found by that statement's
unique violation rather than by a query before it. The answers are those of a create in a
transaction (SQLite, the other tests): 409 for a taken id, before an unknown exercise, and
401 for an ended session, before both."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from ironlog.models import ExerciseExecution, User
from tests.conftest import post_while
from tests.workouts.conftest import WORKOUTS, a_set
from tests.workouts.test_concurrency import live_user, system_exercise


@contextmanager
def traffic(engine: AsyncEngine) -> Iterator[dict[str, list[Any]]]:
    """The statements sent (either pool) and the checkouts of SQLAlchemy's pool meanwhile."""
    seen: dict[str, list[Any]] = {"statements": [], "checkouts": []}

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen["statements"].append(sql)

    def checkout(*args: Any) -> None:
        seen["checkouts"].append(args)

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    event.listen(engine.sync_engine, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statement)
        event.remove(engine.sync_engine, "checkout", checkout)


async def test_a_create_is_one_statement_and_takes_nothing_from_sqlalchemys_pool(
    live_client: httpx.AsyncClient, backend: str
) -> None:
    user = await live_user(live_client)
    exercise_id = await system_exercise(live_client)
    body = {"name": "Alone", "exercises": [{"exercise_id": exercise_id, "sets": [a_set()]}]}
    engine: AsyncEngine = live_client._transport.app.state.engine  # type: ignore[attr-defined]
    with traffic(engine) as seen:
        created = await live_client.post(WORKOUTS, json=body, headers=user.headers)
    assert created.status_code == 201, created.text
    if backend == "postgresql":
        assert len(seen["statements"]) == 1
        assert seen["checkouts"] == []  # no BEGIN, no COMMIT: the driver's pool only
    read = await live_client.get(created.headers["location"], headers=user.headers)
    assert read.json() == created.json()


async def test_a_taken_id_is_409_and_writes_nothing(live_client: httpx.AsyncClient) -> None:
    user = await live_user(live_client)
    exercise_id = await system_exercise(live_client)
    workout_id = str(uuid.uuid4())
    first = {"id": workout_id, "name": "First"}
    assert (await live_client.post(WORKOUTS, json=first, headers=user.headers)).status_code == 201
    again = {
        "id": workout_id,
        "name": "Again",
        "exercises": [{"exercise_id": exercise_id, "sets": [a_set()]}],
    }
    response = await live_client.post(WORKOUTS, json=again, headers=user.headers)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "workout_exists"
    stored = (await live_client.get(f"{WORKOUTS}/{workout_id}", headers=user.headers)).json()
    assert stored["name"] == "First" and stored["exercises"] == []
    # Nor did the refused create take a change number: the next create gets the next one.
    listed = (await live_client.get(WORKOUTS, headers=user.headers)).json()
    assert listed["total"] == 1


async def test_a_taken_id_outranks_an_unknown_exercise(live_client: httpx.AsyncClient) -> None:
    user = await live_user(live_client)
    workout_id = str(uuid.uuid4())
    taken = {"id": workout_id, "name": "First"}
    assert (await live_client.post(WORKOUTS, json=taken, headers=user.headers)).status_code == 201
    unknown = {"exercise_id": str(uuid.uuid4()), "sets": [a_set()]}
    body = {"id": workout_id, "name": "Again", "exercises": [unknown]}
    response = await live_client.post(WORKOUTS, json=body, headers=user.headers)
    assert response.status_code == 409, response.text
    fresh = {**body, "id": str(uuid.uuid4())}
    response = await live_client.post(WORKOUTS, json=fresh, headers=user.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "unknown_exercise"


async def test_an_ended_session_outranks_a_taken_id(live_client: httpx.AsyncClient) -> None:
    user = await live_user(live_client)
    workout_id = str(uuid.uuid4())
    taken = {"id": workout_id, "name": "First"}
    assert (await live_client.post(WORKOUTS, json=taken, headers=user.headers)).status_code == 201
    logout = {"refresh_token": user.refresh_token}
    assert (await live_client.post("/api/v1/auth/logout", json=logout)).status_code == 204
    response = await live_client.post(WORKOUTS, json=taken, headers=user.headers)
    assert response.status_code == 401, response.text
    response = await live_client.post(WORKOUTS, json={"name": "New"}, headers=user.headers)
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("client_chooses_id", [False, True])
async def test_an_account_deleted_while_its_create_waits_is_401_and_nothing_written(
    live_client: httpx.AsyncClient, client_chooses_id: bool
) -> None:
    """The create's statement sees the account and its session, inserts the tree ahead of the
    change number, then waits for the owner's row, which another transaction is deleting. Once
    the deletion commits, no number is taken and no workout inserted, and the tree's foreign
    key fails the statement: 401, as for any ended session, and nothing written (not a 500,
    nor a 409 for a client's own id)."""
    user = await live_user(live_client)
    exercise_id = await system_exercise(live_client)
    workout_id = uuid.uuid4()
    body: dict[str, Any] = {
        "name": "Racing the account's deletion",
        "exercises": [{"exercise_id": exercise_id, "sets": [a_set()]}],
    }
    if client_chooses_id:
        body["id"] = str(workout_id)
    deleting = delete(User).where(User.id == user.id)
    response = await post_while(live_client, deleting, WORKOUTS, body, user.headers)
    assert response.status_code == 401, response.text
    if client_chooses_id:  # (the user's own rows went with the account)
        engine: AsyncEngine = live_client._transport.app.state.engine  # type: ignore[attr-defined]
        async with engine.connect() as reading:
            trees = select(func.count()).where(ExerciseExecution.workout_id == workout_id)
            assert await reading.scalar(trees) == 0
