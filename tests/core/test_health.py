import asyncio
from typing import Any

import httpx
import pytest

from ironlog import health


async def test_health_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_ready_answers_when_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_ready_is_503_on_time_when_the_database_hangs(
    client: httpx.AsyncClient, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hung database hangs the probe's clean-up too; /ready does not wait for it."""

    clean_up_may_end = asyncio.Event()

    class HungSession:
        async def __aenter__(self) -> "HungSession":
            return self

        async def __aexit__(self, *_exc: object) -> None:
            await clean_up_may_end.wait()  # the rollback on a frozen connection

        async def execute(self, _statement: object) -> None:
            await asyncio.sleep(3600)

    monkeypatch.setattr(health, "READY_TIMEOUT_SECONDS", 0.1)
    saved = app.state.sessionmaker
    app.state.sessionmaker = HungSession
    try:
        # Were /ready to wait for the held clean-up, this would time out.
        response = await asyncio.wait_for(client.get("/ready"), timeout=30)
        assert not clean_up_may_end.is_set()
    finally:
        clean_up_may_end.set()
        app.state.sessionmaker = saved
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert (await client.get("/health")).status_code == 200
