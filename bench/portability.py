"""Import and export at the size of real exports: ~6 years of Strong history, 25,000 sets.

    uv run python -m bench.portability [--sets 25000] [--keep-file]

Writes a realistic Strong CSV, creates its own PostgreSQL database (`ironlog_bench_import`, on
IRONLOG_BENCH_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/postgres), starts the API with
uvicorn on 127.0.0.1:8104 and measures:

* the API import (`POST /api/v1/imports`): time, and the server's peak RSS growth;
* the command (`ironlog import`) into a second account: time and peak RSS growth;
* the exports (`GET /api/v1/export?format=json|csv`): time and size.

Targets: import under 15 s, memory growth under 200 MB, export under 5 s. The database is dropped
at the end.
"""

import argparse
import asyncio
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ADMIN_URL = os.environ.get(
    "IRONLOG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DATABASE = "ironlog_bench_import"
PORT = 8104
BASE = f"http://127.0.0.1:{PORT}"
DATA_DIR = Path(os.environ.get("IRONLOG_DATA_DIR", "/tmp/wt-portability-data"))
HEADER = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
    "Workout Notes,RPE\n"
)
# Strong-style names: most match the library ("Name (Equipment)"), a few become custom exercises.
TEMPLATES = {
    "Push": [
        ("Bench Press (Barbell)", 135, 5),
        ("Overhead Press (Barbell)", 85, 6),
        ("Incline Bench Press (Dumbbell)", 50, 10),
        ("Lateral Raise (Dumbbell)", 20, 15),
        ("Triceps Pushdown (Cable - Straight Bar)", 50, 12),
        ("Cable Crossover", 30, 15),
    ],
    "Pull": [
        ("Deadlift (Barbell)", 225, 5),
        ("Pull Up", 0, 8),
        ("Bent Over Row (Barbell)", 135, 8),
        ("Lat Pulldown (Cable)", 120, 10),
        ("Face Pull (Cable)", 40, 15),
        ("Bicep Curl (Dumbbell)", 30, 12),
    ],
    "Legs": [
        ("Squat (Barbell)", 185, 5),
        ("Romanian Deadlift (Barbell)", 155, 8),
        ("Leg Press (Machine)", 270, 12),
        ("Lying Leg Curl (Machine)", 90, 12),
        ("Calf Raise (Machine)", 150, 15),
        ("Zercher Squat (Barbell)", 135, 6),
    ],
}


def generate(path: Path, target_sets: int, seed: int = 7) -> int:
    """Write a Strong export with about `target_sets` sets; returns the number of set rows."""
    rng = random.Random(seed)
    start = datetime(2019, 1, 7, 18, 0)
    sets = 0
    day = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(HEADER)
        while sets < target_sets:
            name = list(TEMPLATES)[day % 3]
            when = start + timedelta(days=day * 2.1, minutes=rng.randint(-90, 90))
            date = when.strftime("%Y-%m-%d %H:%M:%S")
            duration = "48h 40m" if day == 200 else f"{rng.randint(0, 1)}h {rng.randint(1, 59)}m"
            workout_notes = "Felt good" if rng.random() < 0.2 else ""
            for exercise, base, reps in TEMPLATES[name]:
                progress = 1 + day / 2000
                note = "Focus on form" if rng.random() < 0.1 else ""
                orders = ["W", "1", "2", "3", "4"] + (["D"] if rng.random() < 0.2 else [])
                for index, planned in enumerate(orders):
                    weight = base * progress * (0.5 if planned == "W" else 1)
                    order = "F" if planned == "4" and rng.random() < 0.2 else planned
                    rpe = rng.choice(["", "7", "8", "8.5", "9"])
                    first = index == 0
                    file.write(
                        f"{date},{name} Day,{duration},{exercise},{order},{weight:.1f},"
                        f"{reps + rng.randint(-1, 2)},0,0,{note if first else ''},"
                        f"{workout_notes if first else ''},{rpe}\n"
                    )
                    sets += 1
                    if order not in {"W", "D"} and rng.random() < 0.5:
                        file.write(
                            f"{date},{name} Day,{duration},{exercise},Rest Timer,0,0,0,"
                            f"{rng.choice([90, 120, 180])},,,\n"
                        )
            day += 1
    return sets


async def admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def database_url() -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "IRONLOG_DATABASE_URL": database_url(),
        "IRONLOG_DATA_DIR": str(DATA_DIR),
        "IRONLOG_SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "IRONLOG_LOG_LEVEL": "WARNING",
        "IRONLOG_ARGON2_MEMORY_COST_KIB": "8192",
    }


def ironlog_command() -> str:
    return str(Path(sys.executable).parent / "ironlog")


def rss_kib(pid: int, field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def start_server() -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "ironlog.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--log-level",
            "warning",
        ],
        env=environment(),
    )
    for _ in range(100):
        try:
            if httpx.get(f"{BASE}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the server did not start")


def register(client: httpx.Client, email: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": "correct horse", "name": "Bench"},
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}


def api_import(client: httpx.Client, server: subprocess.Popen[bytes], file: Path) -> None:
    headers = register(client, "api@example.com")
    client.get("/api/v1/users/me", headers=headers).raise_for_status()
    before = rss_kib(server.pid, "VmRSS")
    started = time.perf_counter()
    with file.open("rb") as handle:
        response = client.post(
            "/api/v1/imports",
            files={"file": (file.name, handle, "text/csv")},
            data={"unit": "lb", "timezone": "Europe/Berlin"},
            headers=headers,
        )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    report = response.json()
    growth = (rss_kib(server.pid, "VmHWM") - before) / 1024
    print(
        f"API import:  {elapsed:6.2f} s  {report['workouts_new']} workouts, {report['sets']} sets,"
        f" {len(report['exercises_created'])} exercises created; server peak RSS growth "
        f"{growth:.0f} MB"
    )
    for export_format in ("json", "csv"):
        started = time.perf_counter()
        size = 0
        with client.stream(
            "GET", "/api/v1/export", params={"format": export_format}, headers=headers
        ) as stream:
            stream.raise_for_status()
            for chunk in stream.iter_bytes():
                size += len(chunk)
        elapsed = time.perf_counter() - started
        print(f"API export {export_format}: {elapsed:5.2f} s  {size / 1e6:.1f} MB")
    print(
        f"Server peak RSS growth overall: {(rss_kib(server.pid, 'VmHWM') - before) / 1024:.0f} MB"
    )


def cli_import(client: httpx.Client, file: Path) -> None:
    register(client, "cli@example.com")
    started = time.perf_counter()
    subprocess.run(
        [ironlog_command(), "--version"], env=environment(), check=True, capture_output=True
    )
    startup = time.perf_counter() - started
    baseline = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(
        [ironlog_command(), "import", str(file), "--user", "cli@example.com", "--unit", "lb"],
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        f"CLI import:  {elapsed:6.2f} s  ({elapsed - startup:.2f} s without the {startup:.2f} s "
        f"start-up of `ironlog --version`); peak RSS {peak / 1024:.0f} MB, "
        f"{(peak - baseline) / 1024:.0f} MB over `ironlog --version`"
    )
    print(f"  report: {result.stdout.strip()[:120]}...")
    started = time.perf_counter()
    subprocess.run(
        [ironlog_command(), "export", "--user", "cli@example.com", "--output", os.devnull],
        env=environment(),
        check=True,
    )
    elapsed = time.perf_counter() - started
    print(f"CLI export json: {elapsed:5.2f} s ({elapsed - startup:.2f} s without start-up)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", type=int, default=25_000)
    parser.add_argument("--keep-file", action="store_true", help="Keep the generated CSV.")
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    folder = Path(tempfile.mkdtemp(prefix="ironlog-bench-"))
    file = folder / "strong_export.csv"
    sets = generate(file, args.sets)
    print(f"Generated {file}: {sets} set rows, {file.stat().st_size / 1e6:.1f} MB")
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{DATABASE}"'))
    server = None
    try:
        subprocess.run([ironlog_command(), "db", "upgrade"], env=environment(), check=True)
        server = start_server()
        with httpx.Client(base_url=BASE, timeout=120) as client:
            # The server loads the library only under `ironlog serve`; do it here.
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from ironlog.cli import prepare_database;"
                    "from ironlog.core.config import Settings; prepare_database(Settings())",
                ],
                env=environment(),
                check=True,
            )
            api_import(client, server, file)
            cli_import(client, file)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        if not args.keep_file:
            file.unlink()
            folder.rmdir()


if __name__ == "__main__":
    main()
