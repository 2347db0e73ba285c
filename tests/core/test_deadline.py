"""The request deadline (`IRONLOG_REQUEST_TIMEOUT_SECONDS`): a request that hangs is answered."""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from fastapi.responses import StreamingResponse

from ironlog.main import create_app
from tests.conftest import make_settings


def _app(tmp_path: Path, seconds: float) -> httpx.AsyncClient:
    app = create_app(
        make_settings(
            f"sqlite:///{tmp_path / 'unused.db'}", tmp_path, request_timeout_seconds=seconds
        )
    )
    cleaned_up: list[str] = []
    clean_up_may_end = asyncio.Event()

    async def hang() -> None:
        try:
            await asyncio.sleep(3600)
        finally:  # a clean-up that hangs as well (a rollback on a frozen connection)
            await clean_up_may_end.wait()
            cleaned_up.append("hang")

    async def slow_stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(4):  # 1.6 s in all: longer than the 1 s deadline of the test below
                await asyncio.sleep(0.4)
                yield b"chunk\n"

        return StreamingResponse(chunks(), media_type="text/plain")

    app.add_api_route("/hang", hang)
    app.add_api_route("/slow-stream", slow_stream)
    app.state.cleaned_up = cleaned_up
    app.state.clean_up_may_end = clean_up_may_end
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_hung_request_is_503_at_the_deadline_without_waiting_for_its_clean_up(
    tmp_path: Path,
) -> None:
    # Straight ASGI: httpx's test transport would wait for the app's clean-up; a server does not.
    async with _app(tmp_path, 0.2) as client:
        app = client._transport.app  # type: ignore[attr-defined]
        messages: list[dict[str, Any]] = []
        done = asyncio.Event()

        async def receive() -> dict[str, Any]:
            await asyncio.sleep(3600)
            return {}  # pragma: no cover

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/hang",
            "raw_path": b"/hang",
            "query_string": b"",
            "headers": [],
            "http_version": "1.1",
            "scheme": "http",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 1),
            "root_path": "",
        }
        started = time.perf_counter()
        call = asyncio.ensure_future(app(scope, receive, send))
        await asyncio.wait_for(done.wait(), timeout=30)
        elapsed = time.perf_counter() - started
        # The answer came while the clean-up was still held: it did not wait for it. No upper
        # bound on the time: a busy machine may be slow, the order of events is what matters.
        assert not call.done()
        assert app.state.cleaned_up == []
        app.state.clean_up_may_end.set()
        await call  # the clean-up then ends without an error
    assert elapsed >= 0.2
    start = messages[0]
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    assert start["status"] == 503
    assert b'"code":"database_unavailable"' in messages[1]["body"]
    assert headers["retry-after"] == "1"
    assert headers["connection"] == "close"
    assert headers["x-content-type-options"] == "nosniff"
    assert "x-request-id" in headers
    assert app.state.cleaned_up == ["hang"]


async def test_a_response_that_started_is_not_cut(tmp_path: Path) -> None:
    # The response starts at once (well within the deadline, even on a busy machine) and
    # streams on past it.
    async with _app(tmp_path, 1.0) as client:
        response = await client.get("/slow-stream")
    assert response.status_code == 200
    assert response.text == "chunk\n" * 4


async def test_zero_disables_the_deadline(tmp_path: Path) -> None:
    async with _app(tmp_path, 0) as client:
        response = await client.get("/slow-stream")
        assert response.status_code == 200
        assert (await client.get("/health")).status_code == 200


def test_database_waits_stay_within_the_deadline(tmp_path: Path) -> None:
    def settings(**values: float) -> float:
        return make_settings("sqlite://", tmp_path, **values).db_wait_seconds

    assert settings(db_connect_timeout_seconds=5, request_timeout_seconds=2) == 2
    assert settings(db_connect_timeout_seconds=1, request_timeout_seconds=2) == 1
    assert settings(db_connect_timeout_seconds=5, request_timeout_seconds=0) == 5
