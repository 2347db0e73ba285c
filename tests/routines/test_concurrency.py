"""Concurrent requests on routines against a database that commits."""

import asyncio
import secrets
import uuid

import httpx
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from ironlog.models import Exercise
from tests.conftest import register_user, until_a_statement_waits_for_a_lock
from tests.exercises.conftest import EXERCISES, exercise_body
from tests.routines.conftest import ROUTINES, target


async def test_an_exercise_deleted_while_a_routine_is_saved_with_it_is_422(
    live_client: httpx.AsyncClient,
) -> None:
    """The routine's exercises were found visible while another transaction was deleting one;
    the delete commits before the routine's foreign-key check: 422 `unknown_exercise`, no
    routine, not a 500."""
    user = await register_user(live_client, email=f"live-{secrets.token_hex(6)}@example.com")
    made = await live_client.post(EXERCISES, json=exercise_body(), headers=user.headers)
    exercise_id = made.json()["id"]
    body = {
        "name": "Racing a delete",
        "exercises": [{"exercise_id": exercise_id, "sets": [target()]}],
    }
    engine: AsyncEngine = live_client._transport.app.state.engine  # type: ignore[attr-defined]
    async with engine.connect() as deleting:
        await deleting.execute(delete(Exercise).where(Exercise.id == uuid.UUID(exercise_id)))
        saving = asyncio.ensure_future(live_client.post(ROUTINES, json=body, headers=user.headers))
        await until_a_statement_waits_for_a_lock(engine)
        await deleting.commit()
    response = await saving

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "unknown_exercise"
    listed = (await live_client.get(ROUTINES, headers=user.headers)).json()
    assert listed["total"] == 0
