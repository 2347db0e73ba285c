"""HTTP hardening that applies to every response."""

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ironlog.core.errors import DatabaseUnavailable, problem_response

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]
# The API serves JSON only: nothing may load or run from its responses.
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# The web app and the API docs: every asset from this origin, no inline script or style, no eval.
WEB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
# ReDoc's styled-components fills an empty <style> element through the CSSOM: that one empty
# element is allowed by its hash (SHA-256 of ""), still no inline style content.
_EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
# Its icon font is a data: URL inside the bundle.
REDOC_CSP = WEB_CSP.replace("style-src 'self'", f"style-src 'self' {_EMPTY_STYLE}").replace(
    "font-src 'self'", "font-src 'self' data:"
)
_OTHER_WEB_HEADERS = [
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_WEB_HEADERS = [(b"content-security-policy", WEB_CSP.encode()), *_OTHER_WEB_HEADERS]
_REDOC_HEADERS = [(b"content-security-policy", REDOC_CSP.encode()), *_OTHER_WEB_HEADERS]
_WEB_PATHS = ("/static/", "/docs")
_WEB_FILES = ("/", "/sw.js", "/manifest.webmanifest")


def _headers_for(path: str) -> list[tuple[bytes, bytes]]:
    if path == "/redoc":
        return [*_SECURITY_HEADERS, *_REDOC_HEADERS]
    if path in _WEB_FILES or path.startswith(_WEB_PATHS):
        return [*_SECURITY_HEADERS, *_WEB_HEADERS]
    return [*_SECURITY_HEADERS, _API_CSP]


def security_headers(path: str) -> dict[str, str]:
    """The headers as a dict, for responses made outside this middleware (a 500)."""
    return {name.decode(): value.decode() for name, value in _headers_for(path)}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """413 `payload_too_large` for bodies over the limit, as a problem response.

    A declared Content-Length over the limit is refused before the body is read; a chunked body
    is counted as it arrives. Some routes (imports) have a limit of their own.
    """

    def __init__(
        self, app: ASGIApp, *, default_limit: int, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope["path"], self.default_limit)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            response = problem_response(413, "payload_too_large", _too_large(limit))
            await response(scope, receive, send)
            return
        received = 0

        async def receive_with_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, receive_with_limit, send)


def _too_large(limit: int) -> str:
    return f"The request body is larger than {limit // (1024 * 1024)} MiB."


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestDeadlineMiddleware:
    """A request that has not started its response within `seconds` is answered 503
    `database_unavailable` (with `Retry-After`), whatever it waits for: in practice a database
    that hangs. The request itself is cancelled; its clean-up (a rollback on a connection that
    does not answer) may go on in the background, so the answer is sent from a task of its own
    instead of waiting for it. Once a response has started (a streamed export) the deadline no
    longer applies. See docs/drills.md.
    """

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        task = asyncio.current_task()
        started = timed_out = False

        async def send_unless_timed_out(message: Message) -> None:
            nonlocal started
            if timed_out:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def answer_503() -> None:
            response = problem_response(
                503,
                DatabaseUnavailable.code,
                f"The request did not finish within {self.seconds:g} s (the database is not "
                "answering); try again shortly.",
                {"Retry-After": "1", "Connection": "close"},
            )
            await response(scope, receive, send)

        def expire() -> None:
            nonlocal timed_out
            if started or task is None:
                return
            timed_out = True
            answers.add(asyncio.ensure_future(answer_503()))  # kept referenced until awaited
            task.cancel()

        answers: set[asyncio.Future[None]] = set()
        timer = asyncio.get_running_loop().call_later(self.seconds, expire)
        try:
            await self.app(scope, receive, send_unless_timed_out)
        except asyncio.CancelledError:
            if not timed_out or task is None:
                raise
            task.uncancel()
            await asyncio.gather(*answers)
        finally:
            timer.cancel()
