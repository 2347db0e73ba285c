"""Concurrent requests on routines against a database that commits."""

import secrets

import httpx

from tests.conftest import register_user
from tests.exercises.conftest import refused_while_its_exercise_is_deleted
from tests.routines.conftest import ROUTINES, target


async def test_an_exercise_deleted_while_a_routine_is_saved_with_it_is_422(
    live_client: httpx.AsyncClient,
) -> None:
    """The routine's exercises were found visible while another transaction was deleting one;
    the delete commits before the routine's foreign-key check: 422 `unknown_exercise`, no
    routine, not a 500."""
    user = await register_user(live_client, email=f"live-{secrets.token_hex(6)}@example.com")
    await refused_while_its_exercise_is_deleted(
        live_client,
        user,
        ROUTINES,
        lambda exercise_id: {
            "name": "Racing a delete",
            "exercises": [{"exercise_id": exercise_id, "sets": [target()]}],
        },
    )
