"""A phone's signal for the browser tests: a TCP relay in front of the live server that a test
can cut, so that "offline" is offline for real.

Chromium's offline emulation alone leaks: right after a page is reloaded offline, the new
document can send a request before the emulation covers it (`navigator.onLine` still true), and
the server answers it while the page never sees the answer. For a refresh, that replaces the
session's cookie behind the page's back; the page then presents the old one, and reuse
detection ends the session, as it must. No lost signal does that, so the tests cut the relay as
well: what leaks finds the connection refused.
"""

import contextlib
import dataclasses
import socket
import threading
from typing import Any

from tests.live_server import LiveServer


class Signal:
    def __init__(self, server: LiveServer) -> None:
        host, port = server.url.removeprefix("http://").split(":")
        self._target = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.server = dataclasses.replace(
            server, url=f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        )
        self._up = True
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def go_offline(self, context: Any) -> None:
        """No signal: Chromium's emulation (`navigator.onLine`, the `offline` event) and every
        connection to the server cut, open ones included."""
        self._cut()
        context.set_offline(True)

    def go_online(self, context: Any) -> None:
        with self._lock:
            self._up = True
        context.set_offline(False)

    def close(self) -> None:
        self._listener.close()
        self._cut()

    def _cut(self) -> None:
        with self._lock:
            self._up = False
            for connection in self._open:
                _close(connection)
            self._open.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:  # closed
                return
            with self._lock:
                if not self._up:
                    _close(client)
                    continue
                upstream = socket.create_connection(self._target)
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for connection in (source, sink):
                _close(connection)
                with self._lock:
                    self._open.discard(connection)


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()
