"""A client that stops reading `GET /export` holds nothing: the export reads in a read-only
snapshot (others' writes go on at once), and a body not taken within the export deadline is cut,
which returns its connection and its stream slot. Against a real server and socket, since the
attack is a TCP client that stops reading; both databases."""

import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import delete

from ironlog.core.db import create_engine, create_sessionmaker
from ironlog.models import User
from tests.conftest import make_settings
from tests.live_server import live_server
from tests.portability.history import ExecutionSpec, SetSpec, WorkoutSpec, insert_history

# Long enough for the checks below on a busy machine; the test waits for the cut anyway.
DEADLINE_SECONDS = 8
# About 7 MB of JSON in batches of 250 workouts (chunks of about 1 MB): far more than the kernel
# and the server buffer for a client that stops reading.
BIG_HISTORY = [
    WorkoutSpec(
        name=f"Session {number}",
        started_at=datetime(2022, 1, 1, 18, tzinfo=UTC) + timedelta(days=number),
        length=timedelta(hours=1),
        executions=[
            ExecutionSpec(
                exercise=exercise,
                sets=[SetSpec(weight_kg=100, reps=5, notes="n" * 400) for _ in range(4)],
            )
            for exercise in ("Bench Press", "Back Squat")
        ],
    )
    for number in range(1500)
]


async def _seed(database_url: str, data_dir: Path, user_id: uuid.UUID) -> None:
    engine = create_engine(make_settings(database_url, data_dir))
    try:
        async with create_sessionmaker(engine)() as session:
            await insert_history(session, user_id, BIG_HISTORY)
    finally:
        await engine.dispose()


async def _delete_live_users(database_url: str, data_dir: Path) -> None:
    engine = create_engine(make_settings(database_url, data_dir))
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(User).where(User.email.startswith("live-")))
    finally:
        await engine.dispose()


def _stalled_export(url: str, token: str) -> socket.socket:
    """Ask for the export and read only its first bytes, as a client that stops reading."""
    host, port = url.removeprefix("http://").split(":")
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect((host, int(port)))
    stalled.sendall(
        f"GET /api/v1/export?format=json HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {token}\r\n\r\n".encode()
    )
    assert stalled.recv(1024).startswith(b"HTTP/1.1 200")
    return stalled


def _wait_for_log(log: Path, needle: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while needle not in log.read_text():
        assert time.monotonic() < deadline, f"{needle} not logged within {timeout} s"
        time.sleep(0.05)


def _read_until_closed(stalled: socket.socket, timeout: float) -> int:
    """Drain the socket until the server closes it; the bytes read."""
    stalled.settimeout(timeout)
    received = 0
    while chunk := stalled.recv(1 << 20):
        received += len(chunk)
    return received


async def test_stalled_export_blocks_no_write_and_is_cut_at_the_deadline(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        "IRONLOG_EXPORT_DEADLINE_SECONDS": str(DEADLINE_SECONDS),
        "IRONLOG_EXPORT_CONCURRENCY": "1",
    }
    try:
        with live_server(tmp_path, database_url, env=env) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                owner = await _register(http, "live-exporter")
                writer = await _register(http, "live-writer")
                await _seed(database_url, tmp_path, uuid.UUID(owner["user"]["id"]))
                token = owner["tokens"]["access_token"]

                stalled = _stalled_export(server.url, token)
                cut_at = time.monotonic() + DEADLINE_SECONDS
                try:
                    # Others write at once: no write lock is held by the stalled reader.
                    for number in range(5):
                        started = time.monotonic()
                        response = await http.post(
                            "/api/v1/workouts",
                            json={"name": f"Written while stalled {number}"},
                            headers=_bearer(writer),
                        )
                        assert response.status_code == 201, response.text
                        assert time.monotonic() - started < 10  # a held write lock: 20 s
                    # The stalled stream holds this process's only export slot.
                    busy = await http.get(
                        "/api/v1/export", headers={"Authorization": f"Bearer {token}"}
                    )
                    assert busy.status_code == 429
                    assert busy.json()["code"] == "streams_busy"
                    assert busy.headers["retry-after"] == "5"
                    assert time.monotonic() < cut_at, "the checks took longer than the deadline"

                    # The server cuts the body at the deadline (it says so in its log); the socket
                    # then closes with the body unfinished.
                    _wait_for_log(server.log, '"stream_cut"', timeout=DEADLINE_SECONDS + 20)
                    received = _read_until_closed(stalled, timeout=20)
                finally:
                    stalled.close()
                assert time.monotonic() >= cut_at - 0.5

                whole = await http.get(
                    "/api/v1/export", headers={"Authorization": f"Bearer {token}"}
                )
                assert whole.status_code == 200
                assert len(whole.content) > received + 1024 * 1024
                assert whole.content.endswith(b"]}")
                assert len(whole.json()["workouts"]) == len(BIG_HISTORY)
    finally:
        await _delete_live_users(database_url, tmp_path)


async def _register(http: httpx.AsyncClient, prefix: str) -> dict[str, dict[str, str]]:
    response = await http.post(
        "/api/v1/auth/register",
        json={
            "email": f"{prefix}-{uuid.uuid4().hex[:8]}@example.com",
            "password": "correct horse",
            "name": "Lifter",
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, dict[str, str]] = response.json()
    return body


def _bearer(body: dict[str, dict[str, str]]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['tokens']['access_token']}"}
