"""The HTTP protocol `ironlog serve` runs: uvicorn's, with a deadline on reading a request's head.

uvicorn bounds the idle time between requests (`timeout_keep_alive`), but not the time a client
takes to send a request line and headers: a client that sends one header byte every few seconds
(slowloris) holds its connection, and enough of them every connection the process can hold. Here
a request's head must be complete within `http_header_timeout_seconds` of its first byte (of the
connection opening, for the first request), and within `MAX_HEAD_BYTES`; otherwise the
connection is closed. docs/security.md has the numbers.

The idle time between two requests of a kept-alive connection is uvicorn's keep-alive alone
(`KEEP_ALIVE_SECONDS`), longer than the idle expiry of the usual client pools (httpx's is 5 s;
browsers retry a request that fails on a reused idle connection). A server that closes an idle
connection at the moment a client reuses it fails that request with no answer: a drill saw 17
writers get a read error at once when both sides used 5 s. A proxy that pools its upstream
connections must expire idle ones sooner (README, "Behind a reverse proxy").

Worker processes (`--workers N`) are forked from `ironlog serve` once it has imported the
application (`preload`), rather than spawned as fresh interpreters that each import it again:
a worker answers within a fraction of a second of its start instead of after seconds of imports
(two at once on a small machine), and a worker uvicorn replaces comes back as fast. Code is
therefore loaded once, by `ironlog serve`: after an upgrade restart the service, not just the
workers (SIGHUP).
"""

import asyncio
import contextlib
import gc
import importlib
import multiprocessing.context
import signal
import sys
import types
from typing import Any

import uvicorn._subprocess
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors.multiprocess import SIGNALS as SUPERVISOR_SIGNALS

from ironlog.core.config import Settings

MAX_HEAD_BYTES = 64 * 1024
KEEP_ALIVE_SECONDS = 20
# What a worker would still import as it starts serving, after the application's module (seen
# with `python -X importtime`): the event loop, and modules its libraries import on first use.
WORKER_IMPORTS = (
    "uvloop",
    "uvicorn.loops.uvloop",
    "uvicorn.lifespan.on",
    "anyio._backends._asyncio",
    "anyio._core._sockets",
    "anyio._core._streams",
    "fastapi.telemetry._runtime",
)


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit on each request's head.

    One timer per connection at most, armed when a head starts and no timer is pending, and
    re-armed only when it fires during a head: a kept-alive connection's requests pay for no
    timer of their own (arming and cancelling one per request cost 1% of a workout read).
    """

    # Read from the settings once per server process (uvicorn starts workers from this class).
    header_timeout: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_started_at: float | None = None
        self._head_bytes = 0
        self._head_begins()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Still no complete head after this data (a head that completed in it ended the
        # count; a body, or the rest of one the application did not read, is not counted).
        if self._head_started_at is not None:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self._head_started_at = None
                self.send_400_response("Request head too large.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_started_at is None:
            self._head_begins()

    def on_headers_complete(self) -> None:
        self._head_started_at = None
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    def _head_begins(self) -> None:
        self._head_bytes = 0
        if _header_timeout() <= 0:
            return
        self._head_started_at = started_at = self.loop.time()
        if self._head_timer is None:
            self._head_timer = self.loop.call_at(started_at + _header_timeout(), self._check_head)

    def _check_head(self) -> None:
        """The timer fired: close the connection if its pending head is overdue, wait for the
        head's own deadline if it started later, and stop if no head is pending."""
        self._head_timer = None
        if self._head_started_at is None or self.transport.is_closing():
            return
        deadline = self._head_started_at + _header_timeout()
        if self.loop.time() >= deadline:
            self.transport.close()
        else:
            self._head_timer = self.loop.call_at(deadline, self._check_head)


def _header_timeout() -> float:
    if GuardedHttpProtocol.header_timeout is None:
        GuardedHttpProtocol.header_timeout = Settings().http_header_timeout_seconds
    return GuardedHttpProtocol.header_timeout


def uvicorn_options() -> dict[str, Any]:
    """The protocol and limits `ironlog serve` passes to uvicorn."""
    return {
        "http": f"{__name__}:GuardedHttpProtocol",
        # IronLog serves no WebSocket: without this, each worker imports `websockets` as it
        # starts (a quarter of a second) and accepts upgrade requests nothing answers.
        "ws": "none",
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        # uvicorn restarts a worker that has not answered its supervisor's ping within this; at
        # its default (5 s) a loaded machine (a burst of argon2id) got workers killed in a loop.
        "timeout_worker_healthcheck": 30,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }


class _ForkedWorker(multiprocessing.context.ForkProcess):
    """A worker forked from `ironlog serve`. It inherits the supervisor's signal handlers, which
    only queue the signal for the supervisor's loop; it starts from the defaults instead, as a
    spawned worker does (uvicorn's server then installs its own for SIGINT and SIGTERM)."""

    def run(self) -> None:
        for signum in SUPERVISOR_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        super().run()


def preload(app: str) -> None:
    """Import the module of `app` ("module:factory") here, and have uvicorn fork its worker
    processes from this one (uvicorn spawns them, and offers no option for this).

    Call it after `PROMETHEUS_MULTIPROC_DIR` is set (core/metrics_folder.py): the forked workers
    keep the metric value class prometheus_client chose when it was imported. Linux only: macOS
    forbids fork after some system libraries have started threads; elsewhere workers are
    spawned as usual."""
    importlib.import_module(app.partition(":")[0])
    if sys.platform != "linux":
        return
    for module in WORKER_IMPORTS:
        with contextlib.suppress(ImportError):  # an optional or renamed module: imported later
            importlib.import_module(module)
    # Objects made by the imports are shared by the forked workers page by page; kept out of the
    # collector's passes, they stay shared instead of being copied into every worker.
    gc.freeze()
    uvicorn._subprocess.spawn = types.SimpleNamespace(Process=_ForkedWorker)  # type: ignore[assignment]
