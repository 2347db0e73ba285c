"""Fault drills: IronLog against a PostgreSQL cluster the drill stops, restarts and freezes, and
a server process that is told to stop mid-request.

    .venv/bin/pytest drills -p no:cacheprovider      (CI runs them after the test suite)

Each drill runs `ironlog serve` (migrations, library, uvicorn) on loopback against a throwaway
cluster made with initdb under /tmp/wt-drills-pg-*, never the shared server. docs/drills.md
says what each one proves.
"""

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from drills.common import (
    Cluster,
    Server,
    register,
    serve,
    server_env,
    throwaway_cluster,
    throwaway_database,
)

DEADLINE = 1.0  # IRONLOG_REQUEST_TIMEOUT_SECONDS of the drills' server
PASSWORD = "drill passphrase"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def server(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with throwaway_database("ironlog_drill", cluster.admin_url) as url:
        env = server_env(
            url,
            tmp_path_factory.mktemp("data"),
            request_timeout_seconds=str(DEADLINE),
            db_pool_size="4",
            db_max_overflow="4",
        )
        with serve(env) as server:
            yield server


@pytest.fixture(scope="module")
def headers(server: Server) -> dict[str, str]:
    tokens = register(server.base_url, "drill@example.com", PASSWORD)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def timed(
    method: str, url: str, timeout: float = 30, **kwargs: object
) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = httpx.request(method, url, timeout=timeout, **kwargs)  # type: ignore[arg-type]
    return response, time.perf_counter() - started


def a_workout(server: Server, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/api/v1/workouts", json={"name": "Drill"}, headers=headers, timeout=30
    )


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "database_unavailable"
    assert response.headers["retry-after"] == "1"


def test_the_server_works(server: Server, headers: dict[str, str]) -> None:
    assert a_workout(server, headers).status_code == 201
    assert httpx.get(f"{server.base_url}/ready").status_code == 200


def test_database_stopped_requests_get_503_within_a_second(
    cluster: Cluster, server: Server, headers: dict[str, str]
) -> None:
    for _ in range(3):  # fill the pool with connections that the stop will break
        assert a_workout(server, headers).status_code == 201
    cluster.stop("fast")
    base = server.base_url
    for method, path, auth in [
        ("GET", "/api/v1/workouts", True),
        ("POST", "/api/v1/workouts", True),
        ("GET", "/api/v1/exercises", False),
        ("GET", "/api/v1/users/me", True),
        ("GET", "/api/v1/workouts", True),
    ]:
        body = {"json": {"name": "Drill"}} if method == "POST" else {}
        response, elapsed = timed(method, base + path, headers=headers if auth else {}, **body)
        assert_unavailable(response)
        assert elapsed < 1.0, (path, elapsed)
        print(f"stopped: {method} {path} -> {response.status_code} in {elapsed * 1000:.0f} ms")
    ready, elapsed = timed("GET", f"{base}/ready")
    assert ready.status_code == 503
    assert elapsed < 1.0
    health, elapsed = timed("GET", f"{base}/health")
    assert (health.status_code, health.json()["status"]) == (200, "ok")
    assert elapsed < 0.5


def test_database_started_again_the_next_requests_succeed(
    cluster: Cluster, server: Server, headers: dict[str, str]
) -> None:
    cluster.start()
    first = a_workout(server, headers)
    print(f"started again: first request {first.status_code}")
    assert first.status_code in {201, 503}  # a connection broken by the stop: 503 at worst
    for _ in range(5):
        assert a_workout(server, headers).status_code == 201
    assert httpx.get(f"{server.base_url}/ready").status_code == 200


def test_database_restarted_behind_the_pools_back(
    cluster: Cluster, server: Server, headers: dict[str, str]
) -> None:
    for _ in range(3):
        assert a_workout(server, headers).status_code == 201
    cluster.stop("fast")
    cluster.start()  # no request in between: the pool still holds the broken connections
    statuses = [a_workout(server, headers).status_code for _ in range(6)]
    print(f"restarted behind the pool's back: {statuses}")
    assert statuses[0] in {201, 503}
    assert statuses[1:] == [201] * 5, statuses
    reads = [
        httpx.get(f"{server.base_url}/api/v1/workouts", headers=headers).status_code
        for _ in range(3)
    ]
    assert reads == [200] * 3


def test_database_hung_requests_get_503_at_the_deadline(
    cluster: Cluster, server: Server, headers: dict[str, str]
) -> None:
    assert a_workout(server, headers).status_code == 201
    cluster.freeze()  # SIGSTOP: sockets stay open, nothing answers
    try:
        base = server.base_url
        for method, path in [("GET", "/api/v1/workouts"), ("POST", "/api/v1/workouts")]:
            body = {"json": {"name": "Drill"}} if method == "POST" else {}
            response, elapsed = timed(method, base + path, headers=headers, **body)
            assert_unavailable(response)
            assert DEADLINE - 0.2 < elapsed < DEADLINE + 1.0, (path, elapsed)
            print(f"hung: {method} {path} -> {response.status_code} in {elapsed * 1000:.0f} ms")
        health, elapsed = timed("GET", f"{base}/health")
        assert health.status_code == 200
        assert elapsed < 0.5
        ready, elapsed = timed("GET", f"{base}/ready")
        assert ready.status_code == 503
        assert elapsed < DEADLINE + 1.0
        print(f"hung: /ready -> 503 in {elapsed * 1000:.0f} ms")
    finally:
        cluster.thaw()
    # Thawed: the requests that were cut off finish their clean-up; new ones succeed.
    deadline = time.monotonic() + 10
    while a_workout(server, headers).status_code != 201:
        assert time.monotonic() < deadline
    for _ in range(5):
        assert a_workout(server, headers).status_code == 201


def test_sigterm_lets_the_request_in_flight_finish(
    cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with throwaway_database("ironlog_drill_term", cluster.admin_url) as url:
        # A costly password hash makes a login last long enough to stop the server during it.
        env = server_env(
            url,
            tmp_path_factory.mktemp("data"),
            argon2_time_cost="12",
            argon2_memory_cost_kib="65536",
        )
        with serve(env) as server:
            register(server.base_url, "term@example.com", PASSWORD)
            login, started = _login_in_background(server.base_url)
            time.sleep(0.3)  # the login is being hashed now
            server.terminate()
            sent_at = time.monotonic()
            time.sleep(0.2)
            with pytest.raises(httpx.ConnectError):  # new connections are refused
                httpx.get(f"{server.base_url}/health", timeout=2)
            login.join(timeout=30)
            assert started["response"].status_code == 200, started
            assert "access_token" in started["response"].json()
            server.process.wait(timeout=30)  # the grace period is 30 s
            exited_after = time.monotonic() - sent_at
            # uvicorn finishes its graceful shutdown, then re-raises the signal it caught.
            assert server.process.returncode in {0, -signal.SIGTERM}, server.log()
            assert exited_after < 10
            print(f"SIGTERM: in-flight login 200, exit after {exited_after:.1f} s")
            assert started["finished_at"] > sent_at  # it really was in flight at SIGTERM


def _login_in_background(base_url: str) -> tuple[threading.Thread, dict[str, object]]:
    result: dict[str, object] = {}

    def login() -> None:
        result["response"] = httpx.post(
            f"{base_url}/api/v1/auth/login",
            json={"email": "term@example.com", "password": PASSWORD},
            timeout=30,
        )
        result["finished_at"] = time.monotonic()

    thread = threading.Thread(target=login)
    thread.start()
    return thread, result


def test_the_server_log_has_no_unhandled_error(server: Server) -> None:
    log = server.log()
    assert "unhandled_error" not in log
    assert "Exception in ASGI application" not in log
    Path(server.log_path).stat()  # still there: the module's server is still running
