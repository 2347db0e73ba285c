"""`ironlog serve` in a subprocess on a free port, as an operator runs it, for the tests that need
real server processes: logs as written to stderr, several workers, a generated client."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_SECONDS = 180.0  # two workers spawning on a loaded machine take a while
# How long a test waits for one answer from a server of its own. Generous: on a loaded machine a
# process can stall for seconds (the first /openapi.json, built on demand, once took longer than
# httpx's default of 5 s), and a test waits for the answer, never for luck. A hung server still
# fails the test.
REQUEST_TIMEOUT = httpx.Timeout(120.0)
# Cheap argon2id, as in the rest of the suite.
TEST_ENV = {
    "IRONLOG_ENV": "test",
    "IRONLOG_SECRET_KEY": "live-server-secret-" + "k" * 32,
    "IRONLOG_ARGON2_TIME_COST": "1",
    "IRONLOG_ARGON2_MEMORY_COST_KIB": "1024",
    "IRONLOG_ARGON2_PARALLELISM": "1",
    "IRONLOG_REGISTER_MAX_PER_CLIENT": "100000",
}


@dataclass(frozen=True)
class LiveServer:
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def ironlog_command() -> list[str]:
    script = Path(sys.executable).with_name("ironlog")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from ironlog.cli import app; app()"]


@contextmanager
def live_server(
    folder: Path,
    database_url: str,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> Iterator[LiveServer]:
    """Serve `database_url` until the block ends; stderr (the logs) goes to `folder/server.log`.
    `command` is the `ironlog` to run (default: this environment's)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("IRONLOG_") and name != "PROMETHEUS_MULTIPROC_DIR"
    }
    environment.update(TEST_ENV)
    environment.update(
        {"IRONLOG_DATABASE_URL": database_url, "IRONLOG_DATA_DIR": str(folder / "data")}
    )
    environment.update(env or {})
    log = folder / "server.log"
    arguments = [*(command or ironlog_command()), "serve", "--port", str(port)]
    arguments += ["--workers", str(workers)]
    with log.open("wb") as stderr:
        process = subprocess.Popen(  # noqa: S603 - the project's own command
            arguments, cwd=folder, env=environment, stdout=stderr, stderr=stderr
        )
    server = LiveServer(f"http://127.0.0.1:{port}", log, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
            process.kill()
            process.wait()


def _wait_until_up(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"ironlog serve exited:\n{server.log_text()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"ironlog serve did not answer in time:\n{server.log_text()}")
