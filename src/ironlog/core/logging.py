"""Structured logs (structlog), and what every request's logging needs: its id, its route
template and its access line (`core.middleware.RequestMiddleware` puts them to use).

The request id comes from a valid incoming `X-Request-ID` or is generated, is bound to every log
line of the request and is returned in the response header. The user id is bound once the access
token is verified (auth/dependencies.py). Headers, query strings and bodies are never logged, so
tokens and passwords cannot reach the logs.
"""

import logging
import re
import sys
import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import Scope

from ironlog.core.config import Settings

_REQUEST_ID_NAME = b"x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

access_logger = structlog.get_logger("ironlog.access")


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


def request_id(scope: Scope) -> str:
    """A valid incoming `X-Request-ID`, or a new id."""
    for name, value in scope["headers"]:
        if name == _REQUEST_ID_NAME:
            candidate: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def request_id_header(value: str) -> tuple[bytes, bytes]:
    return _REQUEST_ID_NAME, value.encode()


def log_request(scope: Scope, route: str | None, status: int, seconds: float) -> None:
    """The access log line of a request that ended (never its headers, query or body)."""
    access_logger.info(
        "request",
        method=scope["method"],
        path=scope["path"],
        route=route,
        status=status,
        duration_ms=round(seconds * 1000, 2),
    )


class RouteTemplates:
    """The full path template of the route a request matched (`/api/v1/workouts/{workout_id}`).

    FastAPI keeps included routers as a tree, so the route in the scope knows only its path
    inside its router; the full templates come from the application's route tree, once.
    Plain Starlette routes (`/metrics`, `/docs`) leave only their endpoint in the scope.
    """

    def __init__(self) -> None:
        self._templates: dict[int, str | None] = {}

    def of(self, scope: Scope) -> str | None:
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
