"""What the metrics cost per request: `uv run python -m bench.middleware`.

Serves `GET /health` (no database) in-process 5,000 times, with `IRONLOG_METRICS_ENABLED` on and
off, and prints the time per request and the difference. Two ways: calling the ASGI application
directly (the application's own time, nothing else), and through httpx's ASGI transport (what
"5000 requests in-process" usually means; the client's own cost dominates there). Both apps log
the same access line, to /dev/null. The best of several rounds counts, to keep noise out.
"""

import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from ironlog.core.config import Settings
from ironlog.main import create_app

REQUESTS = 5000
ROUNDS = 7


@contextlib.contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    saved = sys.stderr
    with Path(os.devnull).open("w") as devnull:
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved


def _app(data_dir: Path, *, metrics: bool) -> Any:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'bench.db'}",
        secret_key="bench-" + "x" * 40,
        metrics_enabled=metrics,
        argon2_memory_cost_kib=1024,
        argon2_time_cost=1,
    )
    return create_app(settings)


def _scope() -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/health",
        "raw_path": b"/health",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }


async def _direct(app: Any) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: dict[str, Any]) -> None:
        return None

    started = time.perf_counter()
    for _ in range(REQUESTS):
        await app(_scope(), receive, send)
    return (time.perf_counter() - started) / REQUESTS


async def _httpx(app: Any) -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.perf_counter()
        for _ in range(REQUESTS):
            response = await client.get("/health")
            assert response.status_code == 200
        return (time.perf_counter() - started) / REQUESTS


async def _measure(apps: dict[str, Any], way: Any) -> dict[str, float]:
    for app in apps.values():  # warm up: route templates, label children, imports
        await way(app)
    samples: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(ROUNDS):
        for name, app in apps.items():  # interleaved, so drift hits both alike
            samples[name].append(await way(app))
    return {name: min(values) for name, values in samples.items()} | {
        f"{name} (median)": statistics.median(values) for name, values in samples.items()
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, _stderr_to_devnull():
        apps = {
            "metrics off": _app(Path(folder), metrics=False),
            "metrics on": _app(Path(folder), metrics=True),
        }
        results = {
            "ASGI direct": asyncio.run(_measure(apps, _direct)),
            "httpx ASGITransport": asyncio.run(_measure(apps, _httpx)),
        }
    print(f"GET /health, {REQUESTS} requests per round, best of {ROUNDS} rounds (median)")
    for way, figures in results.items():
        off, on = figures["metrics off"], figures["metrics on"]
        print(
            f"  {way:20} off {off * 1e6:7.1f} us ({figures['metrics off (median)'] * 1e6:.1f})"
            f"   on {on * 1e6:7.1f} us ({figures['metrics on (median)'] * 1e6:.1f})"
            f"   metrics add {(on - off) * 1e6:5.2f} us per request"
        )


if __name__ == "__main__":
    main()
