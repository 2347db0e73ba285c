"""Where a workout request's time goes: `uv run python -m bench.request_path [--route get]`.

Builds the app in-process on a throwaway PostgreSQL database (production settings: metrics on,
access log at WARNING), seeds 30 workouts of 6 exercises x 4 sets, then calls the ASGI
application directly (no client, no server) for `--requests` requests of one route under
cProfile, and prints the time per request and the functions that took the most of it, by own
time and by cumulative time. Routes: `get` (one workout), `list` (a page of 20), `create`
(a 6 x 4 tree).
"""

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import time
from typing import Any

import httpx
from fastapi import FastAPI

from bench.common import SECRET, throwaway_database
from bench.workouts import system_exercise_ids, workout_body
from ironlog.core.config import Settings
from ironlog.main import create_app


def _scope(method: str, path: str, token: str, body: bool) -> dict[str, Any]:
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }


async def _drive(
    app: FastAPI, scope: dict[str, Any], body: bytes, requests: int
) -> tuple[float, float]:
    """Wall time and this process's CPU time per request."""
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    elapsed = (time.perf_counter() - started) / requests, (time.process_time() - cpu) / requests
    if any(status >= 300 for status in statuses):
        raise SystemExit(f"unexpected statuses: {sorted(set(statuses))}")
    return elapsed


async def profile(
    url: str, route: str, requests: int, top: int, create_body: dict[str, object]
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="production",
        database_url=url,
        secret_key=SECRET,
        metrics_token="metrics-" + SECRET,
        log_level="WARNING",
        data_dir="/tmp/ironlog-bench",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            response = await client.post(
                "/api/v1/auth/register",
                json={"email": "p@example.com", "password": "bench password", "name": "P"},
            )
            token = response.json()["tokens"]["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            workout_id = ""
            for _ in range(30):
                created = await client.post("/api/v1/workouts", json=create_body, headers=headers)
                workout_id = created.json()["id"]
        method, path, body = {
            "get": ("GET", f"/api/v1/workouts/{workout_id}", b""),
            "list": ("GET", "/api/v1/workouts", b""),
            "create": ("POST", "/api/v1/workouts", json.dumps(create_body).encode()),
        }[route]
        scope = _scope(method, path, token, bool(body))
        await _drive(app, scope, body, 200)  # warm up
        plain = await _drive(app, scope, body, requests)
        profiler = cProfile.Profile()
        profiler.enable()
        profiled = await _drive(app, scope, body, requests)
        profiler.disable()
    print(
        f"{method} {path}: {plain[0] * 1e6:.0f} us per request, {plain[1] * 1e6:.0f} us of CPU"
        f" ({profiled[0] * 1e6:.0f} us profiled)"
    )
    stats = pstats.Stats(profiler)
    by_package: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        package = _package(filename)
        by_package[package] = by_package.get(package, 0.0) + row[2]
    total = sum(by_package.values())
    print("own time by package:")
    for package, seconds in sorted(by_package.items(), key=lambda item: -item[1])[:12]:
        print(f"  {package:<28} {seconds / total:6.1%}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        print(out.getvalue())


def _package(filename: str) -> str:
    """`fastapi`, `ironlog.core`, `asyncio`...: where a function's own time is spent."""
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/", maxsplit=1)[0]
    if "/ironlog/" in filename:
        parts = filename.split("/ironlog/")[1].split("/")
        return "ironlog." + parts[0].removesuffix(".py")
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return filename.rsplit("/", 2)[-2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--route", choices=["get", "list", "create"], default="get")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with throwaway_database("ironlog_bench_path") as url:
        create_body = workout_body(system_exercise_ids(url, 6))
        asyncio.run(profile(url, args.route, args.requests, args.top, create_body))


if __name__ == "__main__":
    main()
