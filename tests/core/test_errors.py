"""The error contract: problem details for every failure, never internals."""

from collections.abc import AsyncIterator
from functools import partial

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from ironlog.core.config import Settings
from ironlog.core.db import ReadOnlySession
from ironlog.core.routing import api_router
from ironlog.main import close_databases, create_app

FAILING_PATH = "/api/v1/test-only/boom"


@pytest.fixture
async def failing_client(
    settings: Settings,
    connection: AsyncConnection,
    test_sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own with a route that fails like a bug would.

    The shared `app` is never changed: a route added to it would stay for every later test (an
    included router cannot be taken out again by its path)."""
    app = create_app(settings)
    app.state.sessionmaker = test_sessionmaker
    app.state.read_sessionmaker = partial(ReadOnlySession, connection, test_sessionmaker)
    app.state.snapshot_sessionmaker = test_sessionmaker
    router = api_router()

    @router.get(FAILING_PATH)
    async def boom() -> None:
        raise RuntimeError("secret internal detail: password=hunter2")

    app.include_router(router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await close_databases(app)


async def test_unexpected_error_is_a_bare_500_problem(
    failing_client: httpx.AsyncClient, capfd: pytest.CaptureFixture[str]
) -> None:
    response = await failing_client.get(FAILING_PATH, headers={"X-Request-ID": "req-123"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "internal_error"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    logged = capfd.readouterr().err
    assert response.headers["x-request-id"] == "req-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    error_lines = [line for line in logged.splitlines() if "unhandled_error" in line]
    assert error_lines, logged
    assert "req-123" in error_lines[0]  # the log line carries the request id


async def test_the_failing_route_stays_out_of_the_shared_app(
    app: FastAPI, client: httpx.AsyncClient, failing_client: httpx.AsyncClient
) -> None:
    assert (await failing_client.get(FAILING_PATH)).status_code == 500
    assert (await client.get(FAILING_PATH)).status_code == 404
    assert FAILING_PATH not in app.openapi()["paths"]


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = await client.get("/health", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["x-request-id"] != "bad id with spaces"
    assert len(generated.headers["x-request-id"]) == 32


async def test_unknown_path_and_method_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong_method = await client.delete("/health")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")
    assert "GET" in wrong_method.headers["allow"]
