"""What every HTTP request gets, in one ASGI layer: a request id, the security headers, a limit
on its body, a deadline for its response, and when it ends an access log line and its metrics.

One layer rather than one per concern: every pure ASGI layer adds a frame that each resumption
of the request's coroutine chain passes through, and most add a `send` wrapper called for every
message. Merging four such layers into this one saved a workout read about 11 us of server
CPU, some 2% (docs/operations.md). The pieces stay in their modules (`core.logging`,
`core.http`, `core.limits`); this class only puts them in order.
"""

import asyncio
import time

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ironlog.core import http, limits
from ironlog.core import logging as request_logging
from ironlog.core.errors import problem_response
from ironlog.core.metrics import HttpMetrics

error_logger = structlog.get_logger("ironlog.errors")


class RequestMiddleware:
    """Outermost of IronLog's own layers, inside Starlette's error handler:

    - **Request id**: a valid incoming `X-Request-ID` or a new one, bound to every log line of
      the request and sent back.
    - **Security headers** on every response, this layer's own answers included.
    - **Body limit**: 413 `payload_too_large` for a declared `Content-Length` over the limit
      before anything reads the body; a chunked body is counted as it arrives. Some paths (the
      import) have a limit of their own.
    - **Deadline**: a request that has not started its response within its time is answered
      503 `database_unavailable` (with `Retry-After`), whatever it waits for, in practice a
      database that hangs. The request is cancelled; its clean-up (a rollback on a connection
      that does not answer) may go on, so the answer is sent from a task of its own instead of
      waiting for it. A response that has started (a streamed export) is not cut.
      See docs/drills.md.
    - **A bug** (an exception no handler took) is logged with the request id and answered 500
      without anything internal, unless the response had started.
    - **Access log line and metrics** when the request ends: method, path, route template,
      status, duration (and the user id, bound by authentication). Never headers or bodies.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: HttpMetrics | None,
        body_limit: int,
        path_body_limits: dict[str, int],
        deadline_seconds: float,
        path_deadline_seconds: dict[str, float],
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.body_limit = body_limit
        self.path_body_limits = path_body_limits
        self.deadline_seconds = deadline_seconds
        self.path_deadline_seconds = path_deadline_seconds
        self.route_templates = request_logging.RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        request_id = request_logging.request_id(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        headers = [*http.response_headers(path), request_logging.request_id_header(request_id)]
        status = 500
        status_sent = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, status_sent
            if message["type"] == "http.response.start":
                status, status_sent = message["status"], True
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        try:
            limit = self.path_body_limits.get(path, self.body_limit)
            declared = limits.content_length(scope)
            if declared is not None and declared > limit:
                await limits.body_too_large(limit)(scope, receive, send_with_headers)
                return
            if declared is None:
                # Without a Content-Length the body is chunked (or empty): count it. With one,
                # the server reads no more than it declares.
                receive = _counting(receive, limit)
            seconds = self.path_deadline_seconds.get(path, self.deadline_seconds)
            if seconds > 0:
                await _within_deadline(self.app, seconds, scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        except Exception:
            # A bug. Answered here rather than by Starlette's outermost handler, so that the log
            # line still carries the request id and the 500 its headers; nothing internal leaks.
            error_logger.exception("unhandled_error")
            if status_sent:
                raise
            response = problem_response(500, "internal_error", "An unexpected error occurred.")
            await response(scope, receive, send_with_headers)
        finally:
            duration = time.perf_counter() - started
            route = self.route_templates.of(scope)
            request_logging.log_request(scope, route, status, duration)
            if self.metrics is not None:
                self.metrics.observe(scope["method"], route, status, duration)
            structlog.contextvars.clear_contextvars()


async def _within_deadline(
    app: ASGIApp, seconds: float, scope: Scope, receive: Receive, send: Send
) -> None:
    """Run `app`; if its response has not started within `seconds`, cancel it and answer 503."""
    task = asyncio.current_task()
    started = timed_out = False
    answers: set[asyncio.Future[None]] = set()

    async def send_unless_timed_out(message: Message) -> None:
        nonlocal started
        if timed_out:
            return
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    def expire() -> None:
        nonlocal timed_out
        if started or task is None:
            return
        timed_out = True
        answer = limits.deadline_exceeded(seconds)(scope, receive, send)
        answers.add(asyncio.ensure_future(answer))  # kept referenced until awaited
        task.cancel()

    timer = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        await app(scope, receive, send_unless_timed_out)
    except asyncio.CancelledError:
        if not timed_out or task is None:
            raise
        task.uncancel()
        await asyncio.gather(*answers)
    finally:
        timer.cancel()


def _counting(receive: Receive, limit: int) -> Receive:
    received = 0

    async def receive_with_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, limits.too_large_detail(limit))
        return message

    return receive_with_limit
