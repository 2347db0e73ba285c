"""The error contract: problem details for every failure, never internals."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from ironlog.core.routing import api_router


@pytest.fixture
def failing_route(app: FastAPI) -> Iterator[str]:
    """A route that fails like a bug would, added for the test and removed after."""
    router = api_router()
    path = "/api/v1/test-only/boom"

    @router.get(path)
    async def boom() -> None:
        raise RuntimeError("secret internal detail: password=hunter2")

    app.include_router(router)
    yield path
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", "") != path]


async def test_unexpected_error_is_a_bare_500_problem(
    client: httpx.AsyncClient, failing_route: str, capfd: pytest.CaptureFixture[str]
) -> None:
    response = await client.get(failing_route, headers={"X-Request-ID": "req-123"})
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
