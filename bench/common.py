"""What the benchmarks share: a throwaway PostgreSQL database, server processes, wrk."""

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

ADMIN_URL = os.environ.get(
    "IRONLOG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-secret-" + "b" * 40


def database_url(name: str) -> str:
    return f"{ADMIN_URL.rpartition('/')[0]}/{name}"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database, migrated, with the system exercise library; dropped after."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = database_url(name)
    try:
        env = {**os.environ, **server_env(url)}
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from ironlog.cli import prepare_database;"
                "from ironlog.core.config import Settings; prepare_database(Settings())",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def server_env(url: str) -> dict[str, str]:
    return {
        "IRONLOG_DATABASE_URL": url,
        "IRONLOG_SECRET_KEY": SECRET,
        "IRONLOG_ENV": "production",
        "IRONLOG_METRICS_TOKEN": "metrics-" + SECRET,
        "IRONLOG_LOG_LEVEL": "WARNING",
        "IRONLOG_DATA_DIR": "/tmp/ironlog-bench",
    }


# The process behind each running `server`, so that `wrk` can read its CPU time.
SERVER_PIDS: dict[str, int] = {}


@contextlib.contextmanager
def server(app: str, port: int, env: dict[str, str], factory: bool = False) -> Iterator[str]:
    """Run an ASGI app under uvicorn (one process, uvloop + httptools) until the block ends."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
    ]
    if factory:
        command.append("--factory")
    process = subprocess.Popen(command, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    SERVER_PIDS[base] = process.pid
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        SERVER_PIDS.pop(base, None)


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    # The CPU time the server process spent per request during the run (user + system, from
    # /proc): with one server process, what its requests/s is bound by. NaN when unknown.
    server_cpu_us: float = float("nan")


def _cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time so far (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, *, seconds: int, connections: int, script: Path | None = None) -> LoadResult:
    """Drive `url` with wrk (Debian package `wrk`) and read its summary."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for this benchmark: apt-get install wrk")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    pid = next((pid for base, pid in SERVER_PIDS.items() if url.startswith(base)), None)
    cpu_before = _cpu_seconds(pid) if pid else float("nan")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = (_cpu_seconds(pid) if pid else float("nan")) - cpu_before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    cpu_us = cpu / (rps * seconds) * 1e6 if rps else float("nan")
    return LoadResult(rps, _latency(output, "50%"), _latency(output, "99%"), cpu_us)


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", output)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
