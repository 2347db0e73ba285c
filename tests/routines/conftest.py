import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import Exercise
from tests.conftest import UserHandle

ROUTINES = "/api/v1/routines"
FOLDERS = "/api/v1/routine-folders"


@pytest.fixture
async def exercise_ids(db: AsyncSession) -> list[uuid.UUID]:
    """Six system exercises, in name order."""
    statement = select(Exercise.id).where(Exercise.user_id.is_(None)).order_by(Exercise.name)
    return list((await db.scalars(statement.limit(6))).all())


def target(**values: Any) -> dict[str, Any]:
    return {"weight_kg": 60.0, "reps": 8, **values}


def routine_tree(exercise_ids: list[uuid.UUID], sets_each: int = 2) -> list[dict[str, Any]]:
    return [
        {"exercise_id": str(exercise_id), "sets": [target() for _ in range(sets_each)]}
        for exercise_id in exercise_ids
    ]


async def create_routine(
    client: httpx.AsyncClient, user: UserHandle, **body: Any
) -> dict[str, Any]:
    body.setdefault("name", "Push A")
    response = await client.post(ROUTINES, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def create_folder(client: httpx.AsyncClient, user: UserHandle, name: str) -> dict[str, Any]:
    response = await client.post(FOLDERS, json={"name": name}, headers=user.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def get_routine(
    client: httpx.AsyncClient, user: UserHandle, routine_id: str
) -> httpx.Response:
    return await client.get(f"{ROUTINES}/{routine_id}", headers=user.headers)
