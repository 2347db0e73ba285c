"""Prometheus metrics at /metrics: requests per route template, latency, the connection pool,
turning them off, protecting them with a token, and several server processes."""

import re
import time
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from ironlog.main import create_app
from tests.conftest import BACKENDS, UserHandle, make_settings
from tests.live_server import REQUEST_TIMEOUT, live_server

REQUESTS = "ironlog_http_requests_total"
DURATION = "ironlog_http_request_duration_seconds"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample, 0 when it is absent (a counter not yet incremented)."""
    for family in text_string_to_metric_families(text):
        for item in family.samples:
            if item.name == name and all(item.labels.get(k) == v for k, v in labels.items()):
                return float(item.value)
    return 0.0


def samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    return [
        (item.labels, float(item.value))
        for family in text_string_to_metric_families(text)
        for item in family.samples
        if item.name == name
    ]


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_are_counted_per_route_template_method_and_status(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    labels = {"method": "GET", "route": "/api/v1/workouts/{workout_id}", "status": "404"}
    before = await scrape(client)

    for _ in range(3):
        response = await client.get(f"/api/v1/workouts/{uuid.uuid4()}", headers=user.headers)
        assert response.status_code == 404

    after = await scrape(client)
    assert sample(after, f"{REQUESTS}", **labels) - sample(before, REQUESTS, **labels) == 3
    count = f"{DURATION}_count"
    assert sample(after, count, **labels) - sample(before, count, **labels) == 3
    fast = {**labels, "le": "10.0"}
    bucket = f"{DURATION}_bucket"
    assert sample(after, bucket, **fast) - sample(before, bucket, **fast) == 3


async def test_nested_routers_and_unmatched_paths_have_their_own_labels(
    client: httpx.AsyncClient,
) -> None:
    google = {"method": "GET", "route": "/api/v1/auth/google/login", "status": "404"}
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    openapi = {"method": "GET", "route": "/openapi.json", "status": "200"}
    scrapes = {"method": "GET", "route": "/metrics", "status": "200"}
    before = await scrape(client)

    assert (await client.get("/api/v1/auth/google/login")).status_code == 404  # not configured
    assert (await client.get(f"/no/such/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/openapi.json")).status_code == 200  # a plain Starlette route

    after = await scrape(client)
    assert sample(after, REQUESTS, **google) - sample(before, REQUESTS, **google) == 1
    assert sample(after, REQUESTS, **unmatched) - sample(before, REQUESTS, **unmatched) == 1
    assert sample(after, REQUESTS, **openapi) - sample(before, REQUESTS, **openapi) == 1
    assert sample(after, REQUESTS, **scrapes) - sample(before, REQUESTS, **scrapes) == 1
    assert not [labels for labels, _ in samples(after, REQUESTS) if "/no/such" in labels["route"]]


async def test_pool_usage_is_read_when_scraped(client: httpx.AsyncClient, app: FastAPI) -> None:
    pool = app.state.engine.sync_engine.pool
    idle = await scrape(client)
    assert sample(idle, "ironlog_db_pool_size") == pool.size()
    assert sample(idle, "ironlog_db_pool_checked_out") == 0

    async with app.state.engine.connect():
        busy = await scrape(client)

    assert sample(busy, "ironlog_db_pool_checked_out") == 1
    for name in (
        "ironlog_db_pool_max_overflow",
        "ironlog_db_pool_idle",
        "ironlog_db_pool_overflow",
    ):
        assert samples(busy, name), name


async def test_the_drivers_pool_is_read_when_scraped(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """PostgreSQL's reads and one-statement creates take the driver's own pool: its figures
    stand beside SQLAlchemy's pool's. SQLite has no such pool, and no such figures."""
    driver_pool = app.state.driver_pool
    idle = await scrape(client)
    if driver_pool is None:
        assert not samples(idle, "ironlog_db_driver_pool_size")
        return
    assert sample(idle, "ironlog_db_driver_pool_size") == driver_pool.size
    assert sample(idle, "ironlog_db_driver_pool_checked_out") == 0
    try:
        held = await driver_pool.acquire()
        try:
            busy = await scrape(client)
        finally:
            await driver_pool.release(held)
    finally:
        await driver_pool.close()
    assert sample(busy, "ironlog_db_driver_pool_checked_out") == 1
    assert sample(busy, "ironlog_db_driver_pool_waiting") == 0


async def test_metrics_can_be_turned_off(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, metrics_enabled=False)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/health")).status_code == 200
        response = await client.get("/metrics")
    assert response.status_code == 404
    assert app.state.metrics is None


async def test_a_metrics_token_is_required_when_set(tmp_path: Path) -> None:
    token = "scrape-" + uuid.uuid4().hex
    settings = make_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, metrics_token=token)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        basic = await client.get("/metrics", headers={"Authorization": f"Basic {token}"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})

    for refused in (missing, wrong, basic):
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["code"] == "not_authenticated"
    assert right.status_code == 200
    assert REQUESTS in right.text


@pytest.mark.parametrize("backend", [BACKENDS[1]], scope="session")  # production's setup
def test_several_server_processes_report_together(database_url: str, tmp_path: Path) -> None:
    """`ironlog serve --workers 2` on PostgreSQL gathers both processes' counters
    (prometheus_client's multiprocess mode, in a folder `serve` makes) and each process's pool,
    labelled by pid.

    Which process accepts a connection is the kernel's choice, so the test does not hope that
    some number of connections reach both: it sends requests (a new connection each) until each
    process's pool shows an idle connection, that is, until both have answered one; then the
    gathered counter must hold exactly the requests sent, whichever process answered them."""
    labels = {"method": "GET", "route": "/api/v1/exercises/body-parts", "status": "200"}
    with live_server(tmp_path, database_url, workers=2) as server:
        with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT) as client:
            sent = 0
            answered: set[str] = set()
            deadline = time.monotonic() + 120
            while len(answered) < 2:
                assert time.monotonic() < deadline, f"after {sent} requests, only {answered}"
                assert client.get("/api/v1/exercises/body-parts").status_code == 200
                sent += 1
                # Each process writes its pool figures when scraped and every few seconds.
                text = client.get("/metrics").text
                idle = samples(text, "ironlog_db_pool_idle")
                answered = {labels["pid"] for labels, value in idle if value > 0}
            # A process counts a request just after sending its answer, so a scrape that follows
            # the answer at once may miss it: wait for the last one.
            while sample(text, f"{DURATION}_count", **labels) < sent:
                assert time.monotonic() < deadline, text
                text = client.get("/metrics").text
            pids = {labels["pid"] for labels, _ in samples(text, "ironlog_db_pool_size")}
        log = server.log_text()

    assert sample(text, REQUESTS, **labels) == sent
    assert sample(text, f"{DURATION}_count", **labels) == sent
    assert pids == answered, text
    made = re.search(r"Metrics of every server process are gathered in (\S+)\.\n", log)
    assert made, log
    assert not Path(made.group(1)).exists()  # the folder serve made is gone with it


async def test_unknown_methods_share_one_series(client: httpx.AsyncClient) -> None:
    other = {"method": "other", "route": "/health", "status": "405"}
    before = await scrape(client)

    for method in ("BREW", "PROPFIND", "X-" + uuid.uuid4().hex):
        assert (await client.request(method, "/health")).status_code == 405

    after = await scrape(client)
    assert sample(after, REQUESTS, **other) - sample(before, REQUESTS, **other) == 3
    assert not [labels for labels, _ in samples(after, REQUESTS) if labels["method"] == "BREW"]
