"""Streamed responses that cannot hold the database hostage.

A streamed body (the export) reads from a database session while it is sent. A client that stops
reading would otherwise keep that session, and its connection, for as long as it keeps the socket
open. `BoundedStreamingResponse` gives the whole body a deadline: when the client has not taken it
all by then, the stream is cut (the connection is closed, so the client sees a truncated body,
never a complete-looking one) and the body's generator is closed, which ends its transaction and
returns its connection. `StreamSlots` bounds how many such streams one process serves at once, so
they can never take the whole connection pool. docs/security.md explains the numbers.
"""

import math
from collections.abc import AsyncGenerator
from typing import Any

import anyio
import structlog
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from ironlog.core.errors import RateLimited

logger = structlog.get_logger("ironlog.streaming")


class StreamsBusy(RateLimited):
    code = "streams_busy"
    default_detail = "Too many exports are being sent by this server right now; try again shortly."


class StreamSlots:
    """At most `limit` streams at once in this process; one more is 429 `streams_busy`."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0

    def take(self) -> None:
        if self.in_use >= self.limit:
            raise StreamsBusy(retry_after=self.RETRY_AFTER_SECONDS)
        self.in_use += 1

    def release(self) -> None:
        self.in_use -= 1


class BoundedStreamingResponse(StreamingResponse):
    """A streamed body that must be sent within `deadline` seconds (0: no deadline)."""

    def __init__(
        self,
        content: AsyncGenerator[bytes],
        *,
        deadline: float,
        slots: StreamSlots | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(content, **kwargs)
        self._content = content
        self._deadline = deadline
        self._slots = slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            with anyio.move_on_after(self._deadline or math.inf) as cancel_scope:
                await super().__call__(scope, receive, send)
            if cancel_scope.cancelled_caught:
                # Returning without the final body message makes the server close the
                # connection: the client cannot mistake the cut body for a whole one.
                logger.warning("stream_cut", path=scope.get("path"), deadline=self._deadline)
        finally:
            # Ends the body's transaction and hands its connection back, whatever happened.
            with anyio.CancelScope(shield=True):
                await self._content.aclose()
            if self._slots is not None:
                self._slots.release()
