"""How long IronLog takes to start: `uv run python -m bench.startup`.

Runs, round after round (so that whatever else the machine does hits them alike):

* `python -c pass`: the floor, an interpreter that starts and stops;
* `ironlog --version` and `ironlog --help`: the command line alone;
* `ironlog serve --workers 2` on a temporary SQLite database that is already migrated and holds
  the exercise library (so no migration runs, only the check that none is pending). It measures
  the time from the command's start until `GET /health` first answers ("serve: first answer"),
  until every worker has started (the `pid` labels of `/metrics`' pool figures, which each
  worker writes as its application starts: "serve: all workers"), and, for the workers
  themselves, from the moment the first worker process exists until they all answer
  ("workers: start to ready").

Prints the median and the maximum of each, and the medians over the floor's. On a loaded machine
every figure is worse; the ratios move less.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import SECRET

METRICS_TOKEN = "metrics-" + SECRET
POLL_SECONDS = 0.01
SERVE_DEADLINE_SECONDS = 120.0
_POOL_PID = re.compile(r'^ironlog_db_pool_size\{[^}]*pid="(\d+)"', re.MULTILINE)


def _ironlog() -> list[str]:
    script = Path(sys.executable).with_name("ironlog")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from ironlog.cli import app; app()"]


def _environment(folder: Path) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("IRONLOG_") and name != "PROMETHEUS_MULTIPROC_DIR"
    }
    environment.update(
        {
            "IRONLOG_ENV": "production",
            "IRONLOG_SECRET_KEY": SECRET,
            "IRONLOG_METRICS_TOKEN": METRICS_TOKEN,
            "IRONLOG_DATA_DIR": str(folder),
            "IRONLOG_DATABASE_URL": f"sqlite:///{folder / 'ironlog.db'}",
            "IRONLOG_LOG_LEVEL": "WARNING",
        }
    )
    return environment


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _timed(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=environment, check=True, capture_output=True)
    return time.perf_counter() - started


@dataclass
class ServeTimes:
    first_answer: float
    all_workers: float
    workers_ready: float


def _now() -> float:
    """Seconds since boot: the clock /proc gives process start times on."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def _started_at(pid: int) -> float:
    """When process `pid` started, on `_now`'s clock (to 1/CLK_TCK, usually 10 ms)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def _wait(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> float:
    deadline = time.monotonic() + SERVE_DEADLINE_SECONDS
    while not condition():
        if process.poll() is not None:
            raise SystemExit(f"ironlog serve stopped (exit code {process.returncode})")
        if time.monotonic() > deadline:
            raise SystemExit("ironlog serve did not get ready in time")
        time.sleep(POLL_SECONDS)
    return _now()


def _serve(environment: dict[str, str], workers: int, log: Path) -> ServeTimes:
    port = _free_port()
    command = [*_ironlog(), "serve", "--port", str(port), "--workers", str(workers)]
    # One client for every probe: a new one per probe would spend more CPU than it measures.
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)

    def answers() -> bool:
        try:
            return client.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    def every_worker_started() -> bool:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        return len(set(_POOL_PID.findall(response.text))) >= workers

    with client, log.open("ab") as stderr:
        started = _now()
        process = subprocess.Popen(command, env=environment, stdout=stderr, stderr=stderr)
        try:
            answered = _wait(answers, process)
            everyone = _wait(every_worker_started, process) if workers > 1 else answered
            forked = min(map(_started_at, _children(process.pid)), default=started)
        finally:
            process.terminate()
            process.wait(timeout=60)
    return ServeTimes(answered - started, everyone - started, everyone - forked)


def _line(name: str, values: list[float], floor: float) -> str:
    median = statistics.median(values)
    return (
        f"  {name:28} median {median * 1000:7.0f} ms   max {max(values) * 1000:7.0f} ms"
        f"   median / floor {median / floor:6.1f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="ironlog-bench-startup-") as name:
        folder = Path(name)
        environment = _environment(folder)
        log = folder / "serve.log"
        # Migrated and loaded once: the rounds measure a start on an up-to-date database.
        subprocess.run(
            [sys.executable, "-c", "from ironlog.cli import app; app(['db', 'upgrade'])"],
            env=environment,
            check=True,
            capture_output=True,
        )
        _serve(environment, 1, log)
        for round_number in range(1, args.rounds + 1):
            times = {
                "python -c pass (floor)": _timed([sys.executable, "-c", "pass"], environment),
                "ironlog --version": _timed([*_ironlog(), "--version"], environment),
                "ironlog --help": _timed([*_ironlog(), "--help"], environment),
            }
            serve = _serve(environment, args.workers, log)
            times[f"serve -w {args.workers}: first answer"] = serve.first_answer
            times[f"serve -w {args.workers}: all workers"] = serve.all_workers
            times["workers: start to ready"] = serve.workers_ready
            for label, value in times.items():
                figures.setdefault(label, []).append(value)
            print(
                f"round {round_number}: "
                + ", ".join(f"{label} {value * 1000:.0f} ms" for label, value in times.items()),
                flush=True,
            )
    floor = statistics.median(figures["python -c pass (floor)"])
    print(f"\n{args.rounds} rounds, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for label, values in figures.items():
        print(_line(label, values, floor))


if __name__ == "__main__":
    main()
