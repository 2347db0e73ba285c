"""Helpers of the sync tests: a replica built only from the feed, and the server's state as
the API's own GET routes show it."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import Exercise
from tests.conftest import UserHandle

SYNC = "/api/v1/sync"
Key = tuple[str, str]


class Replica:
    """A device's offline copy: the feed's changes applied in order, nothing else."""

    def __init__(self) -> None:
        self.objects: dict[Key, dict[str, Any]] = {}
        self.cursor: str | None = None
        self.pages = 0

    def apply(self, page: dict[str, Any]) -> None:
        if page["reset"]:
            self.objects.clear()
        seen: set[Key] = set()
        for change in page["changes"]:
            key = (change["entity"], change["id"])
            assert key not in seen, f"{key} twice in one page"
            seen.add(key)
            if change["op"] == "delete":
                assert change["data"] is None
                self.objects.pop(key, None)
            else:
                assert change["op"] == "upsert"
                assert change["data"]["id"] == change["id"]
                self.objects[key] = change["data"]
        self.cursor = page["cursor"]
        self.pages += 1

    async def sync(
        self, client: httpx.AsyncClient, user: UserHandle, limit: int = 500, max_pages: int = 1000
    ) -> None:
        """Page until `has_more` is false."""
        for _ in range(max_pages):
            page = await read_page(client, user, self.cursor, limit)
            self.apply(page)
            if not page["has_more"]:
                return
        raise AssertionError("the feed did not end")


async def read_page(
    client: httpx.AsyncClient, user: UserHandle, cursor: str | None, limit: int = 500
) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    response = await client.get(SYNC, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def _all_items(client: httpx.AsyncClient, user: UserHandle, path: str) -> list[Any]:
    items: list[Any] = []
    page = 1
    while True:
        response = await client.get(path, params={"page": page, "size": 100}, headers=user.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        if page >= body["pages"]:
            return items
        page += 1


async def server_state(client: httpx.AsyncClient, user: UserHandle) -> dict[Key, dict[str, Any]]:
    """Every synced object of the user, each as its own GET route answers it."""
    state: dict[Key, dict[str, Any]] = {}
    for workout in await _all_items(client, user, "/api/v1/workouts"):
        response = await client.get(f"/api/v1/workouts/{workout['id']}", headers=user.headers)
        assert response.status_code == 200, response.text
        state[("workout", workout["id"])] = response.json()
    for exercise in await _all_items(client, user, "/api/v1/exercises/my-exercises"):
        response = await client.get(f"/api/v1/exercises/{exercise['id']}", headers=user.headers)
        assert response.status_code == 200, response.text
        state[("exercise", exercise["id"])] = response.json()
    return state


@pytest.fixture
async def exercise_ids(db: AsyncSession) -> list[uuid.UUID]:
    """Six system exercises, in name order."""
    statement = select(Exercise.id).where(Exercise.user_id.is_(None)).order_by(Exercise.name)
    return list((await db.scalars(statement.limit(6))).all())
