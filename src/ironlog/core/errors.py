"""Domain errors and their rendering as RFC 9457 problem details.

A service raises a `DomainError` subclass; one handler turns it into `application/problem+json`
with a stable `code`. Routes list the errors they can return with `problem_responses(...)`, so the
OpenAPI document shows every one of them.
"""

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ironlog.core.http import security_headers
from ironlog.core.json import dumps

logger = structlog.get_logger("ironlog.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_detail: ClassVar[str] = "The request cannot be processed."
    # Security events (failed logins, a reused refresh token) must be recorded although the
    # request fails: the unit of work commits instead of rolling back. See docs/unit-of-work.md.
    persist_changes: ClassVar[bool] = False

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None) -> None:
        self.detail = detail or self.default_detail
        self.headers = headers or {}
        super().__init__(self.detail)

    def extra(self) -> dict[str, Any]:
        return {}


class BadRequest(DomainError):
    status = 400
    code = "malformed_request"
    default_detail = "The request body is not valid JSON."


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_detail = "A valid bearer access token is required."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_detail = "You are not allowed to do this."


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_detail = "The resource does not exist."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_detail = "The request conflicts with the current state."


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"
    default_detail = "The resource changed since you read it (If-Match does not match its ETag)."


class PayloadTooLarge(DomainError):
    """Answered by `core.middleware.RequestMiddleware` for a body over the limit."""

    status = 413
    code = "payload_too_large"
    default_detail = "The request body is larger than 1 MiB."


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    default_detail = "Send the body as application/json."


class Unprocessable(DomainError):
    status = 422
    code = "validation_error"
    default_detail = "The request is not valid."


class InvalidField(Unprocessable):
    """A value that is well-formed but wrong given the stored data, as a `validation_error`."""

    def __init__(self, loc: list[str | int], msg: str, error_type: str = "value_error") -> None:
        super().__init__(msg)
        self.errors = [{"loc": loc, "msg": msg, "type": error_type}]

    def extra(self) -> dict[str, Any]:
        return {"errors": self.errors}


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_detail = "Too many attempts; try again later."

    def __init__(self, detail: str | None = None, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class DatabaseUnavailable(DomainError):
    status = 503
    code = "database_unavailable"
    default_detail = "The database is not answering; try again shortly."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": "1"})


class ValidationErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": "urn:ironlog:problem:not_found",
                "title": "Not Found",
                "status": 404,
                "detail": "The workout does not exist.",
                "code": "not_found",
            }
        }
    )

    type: str = Field(description="A URN naming the problem type: `urn:ironlog:problem:<code>`.")
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable error code.")
    errors: list[ValidationErrorItem] | None = Field(
        None, description="For `validation_error`: each invalid input."
    )


def problem_body(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:ironlog:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra)
    return body


def problem_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    return Response(
        dumps(problem_body(status, code, detail, **extra)),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def problem_responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the errors a route can return, grouped by status."""
    by_status: dict[int, list[type[DomainError]]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error)
    responses: dict[int | str, dict[str, Any]] = {}
    for status, group in sorted(by_status.items()):
        examples = {
            error.code: {
                "summary": error.code,
                "value": problem_body(status, error.code, error.default_detail),
            }
            for error in group
        }
        responses[status] = {
            "model": Problem,
            "description": ", ".join(f"`{error.code}`" for error in group),
            "content": {PROBLEM_MEDIA_TYPE: {"examples": examples}},
        }
    return responses


# The codes answered without a `DomainError` (docs/errors.md lists them with the others).
OTHER_CODES: dict[str, tuple[int | None, str]] = {
    "method_not_allowed": (
        405,
        "The path exists, but not with this method; the `Allow` header lists its methods.",
    ),
    "internal_error": (
        500,
        "An unexpected error (a bug), logged with the request id; the body tells nothing more.",
    ),
    "http_error": (
        None,
        "Another error status raised by the web framework itself, with its own status.",
    ),
}

# The statuses FastAPI and Starlette raise themselves, with IronLog's codes.
_HTTP_CODES = {
    400: "malformed_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


Loc = list[str | int]


def _client_loc(loc: tuple[str | int, ...], error_type: str, body: Any) -> Loc:
    """The place in what the client sent: Pydantic's loc without its wrapper names (a union's
    branches such as `constrained-str` or `none`, a model's name), found by walking the body.

    The first element says where (`body`, `query`, `path`, `header`); a missing field is kept
    although the body does not have it."""
    if not loc:
        return []
    where, *parts = loc
    if where != "body":  # a parameter: its name, then any index into a list of values
        return [where, *parts[:1], *(part for part in parts[1:] if isinstance(part, int))]
    result: Loc = [where]
    current = body
    for index, part in enumerate(parts):
        if _has(current, part):
            current = current[part]
        elif not (index == len(parts) - 1 and error_type == "missing"):
            continue  # a name of the validator's, not of the body
        result.append(part)
    return result


def _has(value: Any, part: str | int) -> bool:
    if isinstance(value, Mapping):
        return isinstance(part, str) and part in value
    return isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)


def _validation_items(exc: RequestValidationError) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for error in exc.errors():
        item = {
            "loc": _client_loc(tuple(error["loc"]), error["type"], exc.body),
            "msg": error["msg"],
            "type": error["type"],
        }
        if item not in items:
            items.append(item)
    # A value refused by an optional field's every branch: "Input should be None" says nothing
    # when another error at the field (or inside it) names what the field takes.
    others = [item["loc"] for item in items if item["type"] != "none_required"]
    return [
        item
        for item in items
        if item["type"] != "none_required"
        or not any(loc[: len(item["loc"])] == item["loc"] for loc in others)
    ]


async def handle_domain_error(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, DomainError):  # pragma: no cover - registered for DomainError only
        raise exc
    return problem_response(exc.status, exc.code, exc.detail, exc.headers, **exc.extra())


async def handle_validation_error(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):  # pragma: no cover
        raise exc
    items = _validation_items(exc)
    if any(item["type"] == "json_invalid" for item in items):
        return problem_response(400, "malformed_request", "The request body is not valid JSON.")
    return problem_response(
        422, "validation_error", "The request is not valid; see `errors`.", errors=items
    )


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover
        raise exc
    status = exc.status_code
    code = _HTTP_CODES.get(status, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    headers = dict(exc.headers or {})
    if status == 405:
        allowed = allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return problem_response(status, code, detail, headers)


_PathMethods = list[tuple[re.Pattern[str], int, list[str]]]


def _path_methods(app: FastAPI) -> _PathMethods:
    """Each documented path as a regex, its number of literal segments and its methods."""
    cached: _PathMethods | None = getattr(app.state, "path_methods", None)
    if cached is None:
        cached = []
        for template, operations in app.openapi().get("paths", {}).items():
            segments = template.split("/")
            pattern = "/".join(
                "[^/]+" if segment.startswith("{") else re.escape(segment) for segment in segments
            )
            literals = sum(not segment.startswith("{") for segment in segments)
            methods = sorted(method.upper() for method in operations if method != "parameters")
            cached.append((re.compile(f"{pattern}$"), literals, methods))
        app.state.path_methods = cached
    return cached


def allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists for the request's path (the most specific of the
    paths that match it), for the `Allow` header of a 405. Starlette's own names only the
    methods of the first route it tried, one of several that share the path."""
    path = request.url.path
    matches = [
        (literals, methods)
        for regex, literals, methods in _path_methods(request.app)
        if regex.match(path)
    ]
    return max(matches)[1] if matches else []


async def handle_database_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated and not _is_outage(exc):
        # Inside the middlewares (unlike handle_unexpected_error): they add the headers.
        logger.error("unhandled_error", exc_info=exc)
        return problem_response(500, "internal_error", "An unexpected error occurred.")
    logger.warning("database_unavailable", error=type(exc).__name__)
    error = DatabaseUnavailable()
    return problem_response(error.status, error.code, error.detail, error.headers)


# deadlock_detected, serialization_failure, lock_not_available; too_many_connections (the
# server's or the role's connection limit is reached: busy, like a full pool).
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "55P03", "53300"})


def _is_outage(exc: DBAPIError) -> bool:
    """A DBAPI error that means the database cannot be reached (not a bad query)."""
    original = exc.orig
    names = {cls.__name__ for cls in type(original).__mro__} if original else set()
    outage_names = {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "CannotConnectNowError",
        "InterfaceError",
        "QueryCanceledError",
        "OSError",
        "TimeoutError",
        "AdminShutdownError",
    }
    if "OperationalError" in names and "database is locked" in str(original):
        # SQLite's lock wait (busy_timeout) ran out: busy, not broken; try again shortly.
        return True
    if getattr(original, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        # PostgreSQL chose this transaction as a deadlock's victim, or could not serialize it,
        # or a lock wait ran out, or it has no connection to spare: nothing was written and the
        # same request will succeed again.
        return True
    return bool(names & outage_names) or isinstance(original, OSError | TimeoutError)


async def handle_unexpected_error(request: Request, exc: Exception) -> Response:
    # Logged with the request id (bound in the log context); the client sees nothing internal.
    logger.error("unhandled_error", exc_info=exc)
    # Starlette answers a 500 outside every middleware: the security headers are added here.
    return problem_response(
        500,
        "internal_error",
        "An unexpected error occurred.",
        security_headers(request.url.path),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(DBAPIError, handle_database_error)
    app.add_exception_handler(PoolTimeoutError, handle_database_error)
    app.add_exception_handler(ConnectionError, handle_database_error)
    app.add_exception_handler(TimeoutError, handle_database_error)
    app.add_exception_handler(Exception, handle_unexpected_error)
