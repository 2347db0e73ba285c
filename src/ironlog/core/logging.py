"""Structured logs (structlog), and the middleware that gives every request an id, a log line
and its metrics.

The request id comes from a valid incoming `X-Request-ID` or is generated, is bound to every log
line of the request and is returned in the response header. The user id is bound once the access
token is verified (auth/dependencies.py). Headers, query strings and bodies are never logged, so
tokens and passwords cannot reach the logs.
"""

import logging
import re
import sys
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import structlog
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ironlog.core.config import Settings
from ironlog.core.errors import problem_response
from ironlog.core.http import security_headers

if TYPE_CHECKING:
    from ironlog.core.metrics import HttpMetrics

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

access_logger = structlog.get_logger("ironlog.access")
error_logger = structlog.get_logger("ironlog.errors")


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is when a line is logged, not when logging was set up
    (test runners and process managers swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(settings: Settings) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any
    if settings.log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[settings.log_level]
        ),
        logger_factory=structlog.PrintLoggerFactory(_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )


class RequestContextMiddleware:
    """Request id, access log line (method, path, route template, status, duration, user id),
    and the request's metrics, all from one send wrapper. Never headers or bodies."""

    def __init__(self, app: ASGIApp, metrics: "HttpMetrics | None" = None) -> None:
        self.app = app
        self.metrics = metrics
        self._templates: dict[int, str | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        header = (REQUEST_ID_HEADER.encode(), request_id.encode())

        status_sent = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, status_sent
            if message["type"] == "http.response.start":
                status, status_sent = message["status"], True
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            # A bug. Answered here rather than by Starlette's outermost handler, so that the log
            # line still carries the request id and the 500 its headers; nothing internal leaks.
            error_logger.exception("unhandled_error")
            if status_sent:
                raise
            response = problem_response(
                500,
                "internal_error",
                "An unexpected error occurred.",
                security_headers(scope["path"]),
            )
            await response(scope, receive, send_with_request_id)
        finally:
            duration = time.perf_counter() - started
            route = self._route_template(scope)
            access_logger.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=route,
                status=status,
                duration_ms=round(duration * 1000, 2),
            )
            if self.metrics is not None:
                self.metrics.observe(scope["method"], route, status, duration)
            structlog.contextvars.clear_contextvars()

    def _route_template(self, scope: Scope) -> str | None:
        """The matched route's full path template (`/api/v1/workouts/{workout_id}`).

        FastAPI keeps included routers as a tree, so the route in the scope knows only its path
        inside its router; the full templates come from the application's route tree, once.
        Plain Starlette routes (`/metrics`, `/docs`) leave only their endpoint in the scope.
        """
        route = scope.get("route") or scope.get("endpoint")
        if route is None:
            return None
        key = id(route)
        try:
            return self._templates[key]
        except KeyError:
            self._templates = route_templates(scope["app"].routes)
            template = self._templates.get(key) or getattr(route, "path", None)
            self._templates[key] = template
            return template


def route_templates(routes: Sequence[BaseRoute]) -> dict[int, str | None]:
    """The full path template of every route, keyed by the id of the route object that routing
    puts in the scope, and by the id of its endpoint for routes that put only that."""
    templates: dict[int, str | None] = {}
    for context in iter_route_contexts(routes):
        templates[id(context.original_route)] = context.path
        if context.endpoint is not None:
            templates.setdefault(id(context.endpoint), context.path)
    return templates


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            return candidate if _VALID_REQUEST_ID.match(candidate) else None
    return None
