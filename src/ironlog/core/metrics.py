"""Prometheus metrics at `/metrics`: requests per route template, method and status, their
latency, and the database connection pool.

Requests are counted by `core.middleware.RequestMiddleware` when it writes the access line, so
metrics add no middleware layer. Pool figures are read from the engine's pool when
Prometheus scrapes.

With several server processes (`ironlog serve --workers N`) every process has its own counters,
so `PROMETHEUS_MULTIPROC_DIR` must name a folder they share: prometheus_client's multiprocess
mode then writes each process's values to files there and a scrape, answered by any process,
adds them up. Pool figures are then per process (label `pid`), sampled every few seconds.
"""

import asyncio
import hmac
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, suppress
from functools import cache
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from ironlog.core.config import Settings
from ironlog.core.db import DriverPool
from ironlog.core.errors import problem_response
from ironlog.core.metrics_folder import multiprocess_dir

METRICS_PATH = "/metrics"
UNMATCHED_ROUTE = "unmatched"
POOL_SAMPLE_SECONDS = 5.0
# Fine steps below 100 ms: most API requests take a few milliseconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_LABELS = ("method", "route", "status")


# Pool figure name -> (help text, how to read it from a QueuePool).
_POOL_FIGURES: dict[str, tuple[str, Callable[[Any], float | None]]] = {
    "ironlog_db_pool_size": ("Connections the pool keeps open.", lambda pool: pool.size()),
    "ironlog_db_pool_max_overflow": (
        "Connections the pool may open beyond its size.",
        lambda pool: getattr(pool, "_max_overflow", None),
    ),
    "ironlog_db_pool_checked_out": (
        "Connections in use by requests now.",
        lambda pool: pool.checkedout(),
    ),
    "ironlog_db_pool_idle": (
        "Open connections waiting in the pool.",
        lambda pool: pool.checkedin(),
    ),
    "ironlog_db_pool_overflow": (
        "Connections open beyond the pool size now.",
        lambda pool: max(pool.overflow(), 0),
    ),
}


# The driver's own pool (`core.db.DriverPool`: reads and one-statement creates on PostgreSQL).
_DRIVER_POOL_FIGURES: dict[str, tuple[str, Callable[[DriverPool], float]]] = {
    "ironlog_db_driver_pool_size": (
        "Connections the driver's pool may open (PostgreSQL reads and creates).",
        lambda pool: pool.size,
    ),
    "ironlog_db_driver_pool_checked_out": (
        "Connections of the driver's pool in use by requests now.",
        lambda pool: pool.checked_out(),
    ),
    "ironlog_db_driver_pool_waiting": (
        "Requests waiting for a connection of the driver's pool now.",
        lambda pool: pool.waiting(),
    ),
}
_FIGURE_HELP = {
    name: help_text
    for name, (help_text, _read) in (*_POOL_FIGURES.items(), *_DRIVER_POOL_FIGURES.items())
}


class HttpMetrics:
    """The request counter and latency histogram, with their labelled children cached: looking
    children up through `labels()` costs more than updating them."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.requests = Counter(
            "ironlog_http_requests_total",
            "HTTP requests answered, by method, route template and status.",
            _LABELS,
            registry=registry,
        )
        self.duration = Histogram(
            "ironlog_http_request_duration_seconds",
            "Time from request to the end of the response, by method, route template and status.",
            _LABELS,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str | None, status: int, seconds: float) -> None:
        # Methods are any token a client sends: only the standard ones get series (and entries).
        key = (method if method in _METHODS else "other", route or UNMATCHED_ROUTE, status)
        children = self._children.get(key)
        if children is None:
            labels = (key[0], key[1], str(status))
            children = (self.requests.labels(*labels), self.duration.labels(*labels))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


def _pool_figures(
    engine: AsyncEngine, driver_pool: DriverPool | None
) -> Iterator[tuple[str, float]]:
    pool = engine.sync_engine.pool
    if hasattr(pool, "checkedout"):  # else a pool without figures (NullPool, StaticPool)
        for name, (_help, read) in _POOL_FIGURES.items():
            value = read(pool)
            if value is not None:
                yield name, float(value)
    if driver_pool is not None:
        for name, (_help, read_driver) in _DRIVER_POOL_FIGURES.items():
            yield name, float(read_driver(driver_pool))


class PoolCollector(Collector):
    """Reads the pools when scraped (one process)."""

    def __init__(self, engine: AsyncEngine, driver_pool: DriverPool | None) -> None:
        self.engine = engine
        self.driver_pool = driver_pool

    def collect(self) -> Iterable[GaugeMetricFamily]:
        for name, value in _pool_figures(self.engine, self.driver_pool):
            yield GaugeMetricFamily(name, _FIGURE_HELP[name], value=value)


@cache
def _multiprocess_http_metrics() -> HttpMetrics:
    """One set per process: in multiprocess mode values live in files keyed by metric and
    labels, so two instances in a process would overwrite each other."""
    return HttpMetrics(registry=None)


@cache
def _multiprocess_pool_gauges() -> dict[str, Gauge]:
    return {
        name: Gauge(name, help_text, registry=None, multiprocess_mode="liveall")
        for name, help_text in _FIGURE_HELP.items()
    }


class Metrics:
    """The metrics of one application: what the middleware updates and `/metrics` renders."""

    def __init__(
        self, engine: AsyncEngine, token: str | None, driver_pool: DriverPool | None = None
    ) -> None:
        self.engine = engine
        self.driver_pool = driver_pool
        self.token = token.encode() if token else None
        self.multiprocess = multiprocess_dir() is not None
        if self.multiprocess:
            self.http = _multiprocess_http_metrics()
            self.registry = None
            return
        self.registry = CollectorRegistry()
        self.http = HttpMetrics(self.registry)
        self.registry.register(PoolCollector(engine, driver_pool))
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)

    def sample_pool(self) -> None:
        """Multiprocess mode: write this process's pool figures to the shared files."""
        gauges = _multiprocess_pool_gauges()
        for name, value in _pool_figures(self.engine, self.driver_pool):
            gauges[name].set(value)

    def render(self) -> bytes:
        if self.registry is not None:
            return generate_latest(self.registry)
        self.sample_pool()
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def authorized(self, request: Request) -> bool:
        if self.token is None:
            return True
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode(), self.token
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """For the application's lifespan: in multiprocess mode, sample the pool every few
        seconds, and remove this process's pool figures when it stops."""
        if not self.multiprocess:
            yield
            return
        task = asyncio.create_task(self._sample_pool_forever())
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

    async def _sample_pool_forever(self) -> None:
        while True:
            self.sample_pool()
            await asyncio.sleep(POOL_SAMPLE_SECONDS)


async def metrics_endpoint(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    if not metrics.authorized(request):
        return problem_response(
            401,
            "not_authenticated",
            "The metrics need `Authorization: Bearer <IRONLOG_METRICS_TOKEN>`.",
            {"WWW-Authenticate": "Bearer"},
        )
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI, settings: Settings) -> Metrics | None:
    """Create the application's metrics and serve them at `/metrics` (unless disabled)."""
    if not settings.metrics_enabled:
        return None
    # Production refuses to start without a token (Settings.production_problem).
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    metrics = Metrics(app.state.engine, token, app.state.driver_pool)
    app.state.metrics = metrics
    app.add_route(METRICS_PATH, metrics_endpoint, methods=["GET"], include_in_schema=False)
    return metrics
