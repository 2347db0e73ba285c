"""Helpers shared by the exercise tests."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.exercises import library
from ironlog.models import Exercise
from tests.conftest import UserHandle, post_while_an_exercise_is_deleted

EXERCISES = "/api/v1/exercises"


def exercise_url(exercise_id: object) -> str:
    return f"{EXERCISES}/{exercise_id}"


async def refused_while_its_exercise_is_deleted(
    client: httpx.AsyncClient,
    user: UserHandle,
    path: str,
    body_with: Callable[[str], dict[str, Any]],
) -> None:
    """POST to `path` (a `live_client`'s) `body_with` one of the user's own exercises while
    another transaction deletes that exercise (`post_while_an_exercise_is_deleted`): the POST
    is 422 `unknown_exercise` and `path` lists nothing."""
    made = await client.post(EXERCISES, json=exercise_body(), headers=user.headers)
    exercise_id = made.json()["id"]
    response = await post_while_an_exercise_is_deleted(
        client, exercise_id, path, body_with(exercise_id), user.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "unknown_exercise"
    listed = (await client.get(path, headers=user.headers)).json()
    assert listed["total"] == 0


def exercise_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Tempo Pin Press",
        "body_part": "shoulders",
        "modality": "BARBELL",
        "description": "Press the end of a barbell anchored in a corner.",
    }
    body.update(overrides)
    return body


async def create_exercise(
    client: httpx.AsyncClient, user: UserHandle, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(EXERCISES, json=exercise_body(**overrides), headers=user.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def count_exercises(db: AsyncSession, *criteria: Any) -> int:
    return await db.scalar(select(func.count()).select_from(Exercise).where(*criteria)) or 0


@pytest.fixture(scope="session")
def library_entries() -> list[dict[str, Any]]:
    return library.read_library()
