"""What the in-process benchmarks share (`bench.request_path`, `bench.instructions`): IronLog
built on a throwaway database with production settings, seeded through its own API, and ASGI
requests sent to an application directly, with no client and no server in between."""

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp

from bench.common import SECRET
from ironlog.core.config import Settings
from ironlog.main import create_app

ROUTES = ("get", "list", "create")


def production_app(url: str, **settings: Any) -> Any:
    """IronLog as `ironlog serve` builds it (metrics on, access log at WARNING) on `url`."""
    return create_app(
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            env="production",
            database_url=url,
            secret_key=SECRET,
            metrics_token="metrics-" + SECRET,
            log_level="WARNING",
            data_dir="/tmp/ironlog-bench",
            **settings,
        )
    )


@dataclass(frozen=True)
class Seeded:
    token: str
    user_id: str
    workout_id: str


async def seed(app: ASGIApp, create_body: dict[str, object], workouts: int = 30) -> Seeded:
    """A new account with `workouts` workouts of `create_body`, through the API (the app's
    lifespan must be running)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        response = await client.post(
            "/api/v1/auth/register",
            json={"email": "p@example.com", "password": "bench password", "name": "P"},
        )
        response.raise_for_status()
        body = response.json()
        headers = {"Authorization": f"Bearer {body['tokens']['access_token']}"}
        workout_id = ""
        for _ in range(workouts):
            created = await client.post("/api/v1/workouts", json=create_body, headers=headers)
            created.raise_for_status()
            workout_id = created.json()["id"]
    return Seeded(body["tokens"]["access_token"], body["user"]["id"], workout_id)


def request_for(
    route: str, seeded: Seeded, create_body: dict[str, object]
) -> tuple[str, str, bytes]:
    """(method, path, body) of one of `ROUTES` for the seeded account."""
    return {
        "get": ("GET", f"/api/v1/workouts/{seeded.workout_id}", b""),
        "list": ("GET", "/api/v1/workouts", b""),
        "create": ("POST", "/api/v1/workouts", json.dumps(create_body).encode()),
    }[route]


def asgi_scope(
    method: str, path: str, token: str, *, json_body: bool, query: str = ""
) -> dict[str, Any]:
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
    if json_body:
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
        "query_string": query.encode(),
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }


async def drive_asgi(
    app: ASGIApp, scope: dict[str, Any], body: bytes, requests: int, concurrency: int = 1
) -> tuple[float, float]:
    """Send `requests` requests to `app`, `concurrency` at a time; wall time and this
    process's CPU time per request. Any answer but a 2xx ends the benchmark."""
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def one_client(count: int) -> None:
        for _ in range(count):
            await app(dict(scope), receive, send)

    started, cpu = time.perf_counter(), time.process_time()
    shares = [requests // concurrency + (n < requests % concurrency) for n in range(concurrency)]
    await asyncio.gather(*(one_client(share) for share in shares))
    elapsed = (time.perf_counter() - started) / requests, (time.process_time() - cpu) / requests
    if any(status >= 300 for status in statuses):
        raise SystemExit(f"unexpected statuses: {sorted(set(statuses))}")
    return elapsed
