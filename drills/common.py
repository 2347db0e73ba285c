"""What the drills share: databases, `ironlog serve` processes and throwaway PostgreSQL clusters.

Everything listens on loopback only. Ports: 8401..8419 for servers, 55401..55419 for clusters;
data folders under /tmp/wt-drills-*.
"""

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

ADMIN_URL = os.environ.get(
    "IRONLOG_DRILLS_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_BIN = Path(os.environ.get("IRONLOG_DRILLS_PG_BIN", "/usr/lib/postgresql/15/bin"))
HTTP_PORTS = range(8401, 8420)
PG_PORTS = range(55401, 55420)
SECRET = "drills-secret-" + "d" * 40


def free_port(ports: range) -> int:
    """The first port of `ports` nobody listens on (loopback)."""
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port in {ports.start}..{ports.stop - 1}")


def with_database(admin_url: str, name: str) -> str:
    return f"{admin_url.rpartition('/')[0]}/{name}"


async def _admin(admin_url: str, sql: str) -> None:
    connection = await asyncpg.connect(admin_url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def throwaway_database(prefix: str, admin_url: str = ADMIN_URL) -> Iterator[str]:
    """A fresh, empty PostgreSQL database on `admin_url`'s server, dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield with_database(admin_url, name)
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def server_env(database_url: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a server under drill: production mode, cheap argon2 unless given."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("IRONLOG_") or key.startswith("IRONLOG_DRILLS_")
    }
    env.update(
        {
            "IRONLOG_DATABASE_URL": database_url,
            "IRONLOG_SECRET_KEY": SECRET,
            "IRONLOG_ENV": "production",
            "IRONLOG_METRICS_TOKEN": "metrics-" + SECRET,
            "IRONLOG_DATA_DIR": str(data_dir),
            "IRONLOG_LOG_LEVEL": "WARNING",
            "IRONLOG_ARGON2_TIME_COST": "1",
            "IRONLOG_ARGON2_MEMORY_COST_KIB": "1024",
            "IRONLOG_ARGON2_PARALLELISM": "1",
        }
    )
    env.update({f"IRONLOG_{key.upper()}": value for key, value in settings.items()})
    return env


@dataclass
class Server:
    """`ironlog serve` in a child process (migrations and library load included)."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)


@contextlib.contextmanager
def serve(
    env: dict[str, str], *, workers: int = 1, port: int | None = None, ready_timeout: float = 60
) -> Iterator[Server]:
    port = port or free_port(HTTP_PORTS)
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept for the whole block)
        prefix="wt-drills-server-", suffix=".log", delete=False
    )
    command = [
        str(Path(sys.executable).parent / "ironlog"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", Path(log_file.name))
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{server.log()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{server.base_url}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{server.log()}")
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log_file.close()
        Path(log_file.name).unlink(missing_ok=True)


def register(base_url: str, email: str, password: str, name: str = "Drill") -> dict[str, str]:
    """Register an account and return its tokens."""
    response = httpx.post(
        f"{base_url}/api/v1/auth/register",
        json={"email": email, "password": password, "name": name},
        timeout=30,
    )
    response.raise_for_status()
    tokens: dict[str, str] = response.json()["tokens"]
    return tokens


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` account then."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:  # pragma: no cover - util-linux is everywhere
        raise RuntimeError("running as root needs runuser to start PostgreSQL as `postgres`")
    return [runuser, "-u", "postgres", "--"]


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster the drill controls: stop, start, freeze, thaw."""

    data_dir: Path
    port: int
    log_path: Path
    frozen: list[int] = field(default_factory=list)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres_user(), str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log_path), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-w", "-m", mode)

    def postmaster_pid(self) -> int:
        return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])

    def processes(self) -> list[int]:
        """The postmaster and every backend and helper process it started."""
        parent = self.postmaster_pid()
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True, check=False
        ).stdout.split()
        return [parent, *map(int, children)]

    def freeze(self) -> None:
        """SIGSTOP the postmaster and its backends: the database hangs without closing sockets."""
        self.frozen = self.processes()
        for pid in self.frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = []


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """initdb a cluster under /tmp/wt-drills-pg-*, start it on a free port, remove it after."""
    root = Path(tempfile.mkdtemp(prefix="wt-drills-pg-"))
    data_dir = root / "data"
    data_dir.mkdir()
    log_path = root / "postgres.log"
    log_path.touch()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data_dir, "postgres")
        shutil.chown(log_path, "postgres")
    subprocess.run(
        [
            *_as_postgres_user(),
            str(PG_BIN / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    cluster = Cluster(data_dir, free_port(PG_PORTS), log_path)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.thaw()
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
