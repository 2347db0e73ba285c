"""`ironlog serve` does not wait forever for a request's head (slowloris), nor read an endless
one. Against a real server: the attack is a TCP client."""

import socket
import time
from collections.abc import Iterator

import pytest

from tests.live_server import LiveServer, live_server

HEADER_TIMEOUT_SECONDS = 1.5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("slow")
    env = {"IRONLOG_HTTP_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT_SECONDS)}
    with live_server(folder, f"sqlite:///{folder / 'ironlog.db'}", env=env) as running:
        yield running


def _connect(server: LiveServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _closed_within(connection: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds` (reading what it sends)."""
    connection.settimeout(seconds)
    try:
        while connection.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_head_sent_a_byte_at_a_time_is_cut_at_the_header_timeout(server: LiveServer) -> None:
    with _connect(server) as connection:
        started = time.monotonic()
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        closed = False
        # One header byte every 0.2 s: it would never finish; the server must close first.
        for _ in range(100):
            try:
                connection.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            connection.settimeout(0.2)
            try:
                if connection.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
        elapsed = time.monotonic() - started
    assert closed, "the server still waited for the head after 20 s"
    assert HEADER_TIMEOUT_SECONDS - 0.2 <= elapsed < HEADER_TIMEOUT_SECONDS + 5


def test_an_idle_connection_is_closed(server: LiveServer) -> None:
    with _connect(server) as connection:
        assert _closed_within(connection, HEADER_TIMEOUT_SECONDS + 5)


def test_a_kept_alive_connection_gets_the_same_deadline_for_its_next_head(
    server: LiveServer,
) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
        connection.sendall(b"GET /health HTTP/1.1\r\n")  # and never the rest
        assert _closed_within(connection, HEADER_TIMEOUT_SECONDS + 5)


def test_a_later_head_gets_its_whole_deadline_from_its_own_first_byte(server: LiveServer) -> None:
    """The connection's one timer, armed for the first head, must not cut a head that started
    later before that head's own deadline."""
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
        time.sleep(HEADER_TIMEOUT_SECONDS * 2 / 3)  # past part of the first timer's wait
        started = time.monotonic()
        connection.sendall(b"GET /health HTTP/1.1\r\n")  # and never the rest
        assert _closed_within(connection, HEADER_TIMEOUT_SECONDS + 5)
        elapsed = time.monotonic() - started
    assert elapsed >= HEADER_TIMEOUT_SECONDS - 0.2


def test_a_kept_alive_connection_may_stay_idle_longer_than_the_header_timeout(
    server: LiveServer,
) -> None:
    """Idle time between requests is keep-alive's (20 s), not the head's deadline: a client pool
    that reuses a connection idle for a few seconds must not find it closed under its request."""
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
        assert not _closed_within(connection, HEADER_TIMEOUT_SECONDS + 1.5)
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")


def test_a_head_over_64_kib_is_refused(server: LiveServer) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        answer = b""
        try:
            for _ in range(20):
                connection.sendall(b"X-Filler: " + b"y" * 8000 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        connection.settimeout(5)
        try:
            while chunk := connection.recv(4096):
                answer += chunk
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


def test_a_normal_request_is_served(server: LiveServer) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
