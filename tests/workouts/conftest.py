import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import Exercise
from tests.conftest import UserHandle
from tests.openapi_strict import StrictOpenAPI, hook

WORKOUTS = "/api/v1/workouts"


@pytest.fixture(scope="session")
def strict_openapi(app: FastAPI) -> StrictOpenAPI:
    return StrictOpenAPI(app.openapi())


@pytest.fixture
async def client(client: httpx.AsyncClient, strict_openapi: StrictOpenAPI) -> httpx.AsyncClient:
    """Every body a workout route serves in these tests is checked against the OpenAPI
    document, unknown keys refused (tests/openapi_strict.py)."""
    client.event_hooks["response"].append(hook(strict_openapi, WORKOUTS))
    return client


@pytest.fixture
async def exercise_ids(db: AsyncSession) -> list[uuid.UUID]:
    """Six system exercises, in name order."""
    statement = select(Exercise.id).where(Exercise.user_id.is_(None)).order_by(Exercise.name)
    return list((await db.scalars(statement.limit(6))).all())


def a_set(**values: Any) -> dict[str, Any]:
    return {"weight_kg": 80.0, "reps": 5, **values}


async def create_workout(
    client: httpx.AsyncClient, user: UserHandle, **body: Any
) -> dict[str, Any]:
    body.setdefault("name", "Push day")
    response = await client.post(WORKOUTS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def tree(exercise_ids: list[uuid.UUID], sets_each: int = 2) -> list[dict[str, Any]]:
    return [
        {
            "exercise_id": str(exercise_id),
            "sets": [a_set(reps=index + 1) for index in range(sets_each)],
        }
        for exercise_id in exercise_ids
    ]
