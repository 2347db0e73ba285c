"""Limits on every request: the size of its body and the time until its response starts."""

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ironlog.core.errors import DatabaseUnavailable, problem_response


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

    def __init__(
        self, app: ASGIApp, *, seconds: float, path_seconds: dict[str, float] | None = None
    ) -> None:
        self.app = app
        self.default_seconds = seconds
        self.path_seconds = path_seconds or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        seconds = self.path_seconds.get(scope.get("path", ""), self.default_seconds)
        if scope["type"] != "http" or seconds <= 0:
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
                f"The request did not finish within {seconds:g} s (the database is not "
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
        timer = asyncio.get_running_loop().call_later(seconds, expire)
        try:
            await self.app(scope, receive, send_unless_timed_out)
        except asyncio.CancelledError:
            if not timed_out or task is None:
                raise
            task.uncancel()
            await asyncio.gather(*answers)
        finally:
            timer.cancel()
