"""Concurrent requests on routines against a database that commits."""

import secrets

import httpx

from tests.conftest import post_while_an_exercise_is_deleted, register_user
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
    response = await post_while_an_exercise_is_deleted(
        live_client, exercise_id, ROUTINES, body, user.headers
    )

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "unknown_exercise"
    listed = (await live_client.get(ROUTINES, headers=user.headers)).json()
    assert listed["total"] == 0
