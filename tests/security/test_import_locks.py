"""An import holds no transaction while it parses its upload: on SQLite a request transaction
holds the database's write lock, and a big file takes seconds to parse, so others' writes used
to wait and fail for as long."""

import asyncio
import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from ironlog.portability import service
from tests.portability.helpers import IMPORTS

STRONG = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
    "Workout Notes,RPE\n2024-01-01 10:00:00,W,1h,Bench Press,1,100,5,,,,,\n"
)


async def _register(client: httpx.AsyncClient) -> dict[str, str]:
    email = f"live-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": "password 1", "name": "L"}
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}


async def test_others_write_while_an_import_parses(
    live_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsing = threading.Event()
    release = threading.Event()
    parse_file = service.parse_file

    def slow_parse(*args: Any, **kwargs: Any) -> Any:
        parsing.set()
        assert release.wait(timeout=30)
        return parse_file(*args, **kwargs)

    monkeypatch.setattr(service, "parse_file", slow_parse)
    importer = await _register(live_client)
    writer = await _register(live_client)
    upload = asyncio.create_task(
        live_client.post(IMPORTS, files={"file": ("s.csv", STRONG.encode())}, headers=importer)
    )
    try:
        assert await asyncio.to_thread(parsing.wait, 30)
        started = time.monotonic()
        written = await live_client.post("/api/v1/workouts", json={"name": "W"}, headers=writer)
        assert written.status_code == 201, written.text
        assert time.monotonic() - started < 10  # a held write lock would hold it 20 s
    finally:
        release.set()
        imported = await upload
    assert imported.status_code == 201, imported.text
    assert imported.json()["workouts_new"] == 1
