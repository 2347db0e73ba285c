"""Limits on every request: the size of its body and the time until its response starts. The
answers and the checks; `core.middleware.RequestMiddleware` applies them."""

from starlette.responses import Response
from starlette.types import Scope

from ironlog.core.errors import DatabaseUnavailable, problem_response


def content_length(scope: Scope) -> int | None:
    """The declared `Content-Length`; None when absent or not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def too_large_detail(limit: int) -> str:
    return f"The request body is larger than {limit // (1024 * 1024)} MiB."


def body_too_large(limit: int) -> Response:
    """413 `payload_too_large`, for a body over `limit` bytes."""
    return problem_response(413, "payload_too_large", too_large_detail(limit))


def deadline_exceeded(seconds: float) -> Response:
    """503 `database_unavailable` for a request that has not answered within `seconds`; the
    connection is closed (the request's clean-up may still be running)."""
    return problem_response(
        503,
        DatabaseUnavailable.code,
        f"The request did not finish within {seconds:g} s (the database is not answering); "
        "try again shortly.",
        {"Retry-After": "1", "Connection": "close"},
    )
