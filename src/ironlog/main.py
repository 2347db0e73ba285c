"""The application factory."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ironlog import __version__, error_catalog, health
from ironlog.admin.router import router as admin_router
from ironlog.auth import openapi as auth_openapi
from ironlog.auth.google_router import router as google_router
from ironlog.auth.router import router as auth_router
from ironlog.core import backup, metrics, openapi
from ironlog.core.config import Settings
from ironlog.core.db import (
    DriverPool,
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
    create_snapshot_sessionmaker,
)
from ironlog.core.errors import (
    DatabaseUnavailable,
    Unprocessable,
    install_error_handlers,
    problem_responses,
)
from ironlog.core.logging import configure_logging
from ironlog.core.middleware import RequestMiddleware
from ironlog.core.routing import include_flat
from ironlog.core.security import PasswordHasher, TokenCodec
from ironlog.core.streaming import StreamSlots
from ironlog.exercises.router import router as exercises_router
from ironlog.idempotency import service as idempotency
from ironlog.measurements.router import router as measurements_router
from ironlog.portability.router import MAX_IMPORT_BYTES
from ironlog.portability.router import router as portability_router
from ironlog.routines.router import folders_router as routine_folders_router
from ironlog.routines.router import router as routines_router
from ironlog.routines.router import workouts_router as routine_workouts_router
from ironlog.stats.router import router as stats_router
from ironlog.sync import cleanup as sync_cleanup
from ironlog.sync.router import router as sync_router
from ironlog.users.router import router as users_router
from ironlog.web import router as web
from ironlog.workouts.router import router as workouts_router

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 1024 * 1024

DESCRIPTION = """
IronLog keeps a lifter's exercises, workouts, sets, statistics and records.

* Authenticate with `POST /api/v1/auth/login` and send `Authorization: Bearer <access_token>`.
* Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
* Lists are paged with `?page=1&size=20` and answered as `{items, total, page, size, pages}`.
"""

TAGS = [
    {"name": "auth", "description": "Accounts, sign-in, token refresh and sign-out."},
    {"name": "users", "description": "The signed-in user's account."},
    {
        "name": "admin",
        "description": "Administrators only: accounts, invites and password reset links.",
    },
    {
        "name": "exercises",
        "description": "The system exercise library (public) and each user's own exercises.",
    },
    {"name": "workouts", "description": "Workouts, their exercises and sets."},
    {
        "name": "routines",
        "description": "Routines (workout templates) in folders; start a workout from one.",
    },
    {"name": "stats", "description": "The signed-in user's training statistics and records."},
    {
        "name": "body-measurements",
        "description": "Body weight, body fat and circumferences: one entry per local date.",
    },
    {
        "name": "portability",
        "description": "Import from Strong, Hevy and FitNotes; export the whole account.",
    },
    {
        "name": "sync",
        "description": "A change feed that keeps an offline copy of your data up to date.",
    },
    {"name": "health", "description": "Liveness and readiness probes."},
]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app_metrics: metrics.Metrics | None = app.state.metrics
    _build_route_tables(app)
    # Everything built at start-up (modules, routes, schemas, compiled statements) lives as long
    # as the process: keep it out of the garbage collector's full passes, which otherwise stall
    # requests for tens of milliseconds (bench/workouts.py's p99).
    gc.freeze()
    # A request's objects die with it, by reference counting: the collector only has to find
    # cycles. At Python's default (a young pass every 700 net allocations) a workout read paid
    # for about two passes; every 50,000 it pays for almost none (30 us less CPU per GET of a
    # workout under load, bench/workouts.py), and cyclic garbage still goes within a pass.
    gc.set_threshold(50_000, 20, 10)
    settings: Settings = app.state.settings
    async with (
        backup.server_presence(settings),
        app_metrics.running() if app_metrics else nullcontext(),
        anyio.create_task_group() as background,
    ):
        background.start_soon(app.state.password_hasher.prepare)
        if settings.sync_cleanup_interval_seconds > 0:
            background.start_soon(sync_cleanup.run_periodically, app.state.sessionmaker, settings)
        yield
        background.cancel_scope.cancel()
    await close_databases(app)


async def close_databases(app: FastAPI) -> None:
    """Close the app's connections: both pools (at shutdown; and by tests that build an app
    without running its lifespan)."""
    if app.state.driver_pool is not None:
        await app.state.driver_pool.close()
    await app.state.engine.dispose()


def _build_route_tables(app: FastAPI) -> None:
    """Have FastAPI build its routing tables now, before the process serves: it builds those of
    each included router when a request first reaches it, a tenth of a second for all of them
    that the first requests of every new server process would wait. A path no route matches
    goes through all of them."""
    scope = {"type": "http", "method": "GET", "path": "/\x00", "root_path": "", "headers": []}
    for route in app.router.routes:
        route.matches(scope)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings)
    app = FastAPI(
        title="IronLog",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        redirect_slashes=False,
        # Served by ironlog.web with the package's own Swagger UI and ReDoc (no CDN).
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
        # FastAPI's OpenTelemetry hooks would look for a configured provider on every request;
        # IronLog reports through its logs and Prometheus metrics instead.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.engine = create_engine(settings)
    app.state.driver_pool = DriverPool.for_engine(app.state.engine, settings)
    app.state.sessionmaker = create_sessionmaker(app.state.engine, app.state.driver_pool)
    app.state.read_sessionmaker = create_read_sessionmaker(app.state.engine, app.state.driver_pool)
    app.state.snapshot_sessionmaker = create_snapshot_sessionmaker(app.state.engine)
    app.state.stream_slots = StreamSlots(settings.export_concurrency)
    app.state.password_hasher = PasswordHasher(settings)
    app.state.token_codec = TokenCodec(settings)

    install_error_handlers(app)
    idempotency.install(app)
    api_responses = problem_responses(Unprocessable, DatabaseUnavailable)
    # Most used first: routing tries the routes in this order (their paths never overlap).
    # Flat, not included: `core.routing.include_flat` says why.
    for router in (
        workouts_router,
        exercises_router,
        auth_router,
        google_router,
        users_router,
        stats_router,
        measurements_router,
        portability_router,
        routines_router,
        routine_folders_router,
        routine_workouts_router,
        sync_router,
        admin_router,
    ):
        include_flat(app, router, prefix=API_PREFIX, responses=api_responses)
    app.include_router(health.router)
    # After the API's routes, so that matching them never tries /metrics first.
    app.state.metrics = metrics.install(app, settings)
    # Last: the web app and the docs pages.
    web.install_docs(app)
    app.include_router(web.router)
    openapi.install(app, hooks=[auth_openapi.document_security, error_catalog.document_codes])

    if settings.cors_origins:  # an allowlist; without origins no cross-origin request is allowed
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "X-IronLog-Session",
            ],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
        )
    # Request id, security headers, body limit, deadline, access log and metrics: one layer
    # (core/middleware.py says why). Outside CORS, so that its answers get them too.
    app.add_middleware(
        RequestMiddleware,
        metrics=app.state.metrics.http if app.state.metrics else None,
        body_limit=MAX_BODY_BYTES,
        # A 20 MiB import parses and writes ~180,000 sets: more than a request's usual deadline.
        path_body_limits={f"{API_PREFIX}/imports": MAX_IMPORT_BYTES},
        deadline_seconds=settings.request_timeout_seconds,
        path_deadline_seconds={f"{API_PREFIX}/imports": settings.import_timeout_seconds},
    )
    return app
