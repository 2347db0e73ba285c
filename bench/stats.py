"""Benchmark of `GET /users/me/stats` and `GET /users/me/records` on PostgreSQL, over HTTP.

    uv run python -m bench.stats [--requests 40] [--warmups 5] [--rounds 3] [--keep]

1. Creates its own PostgreSQL database (`ironlog_bench_stats`; admin URL from
   `IRONLOG_BENCH_POSTGRES_URL`, default `postgresql://postgres@127.0.0.1:5432/postgres`) and
   migrates it with `ironlog.core.migrations.upgrade`.
2. Starts `ironlog serve` on the port in a subprocess and registers three lifters over HTTP,
   all in one time zone (`--timezone`, default America/Los_Angeles: local dates are the harder
   case), then holds autovacuum off on the tables the histories fill.
3. Histories: "1y" and "5y" are generated (300 workouts a year, each of 6 of 40 exercises drawn
   at random with 4 sets: for five years 1,500 workouts, 9,000 executions, 36,000 sets) and
   written with `insert_trees` a few hundred whole workouts at a time; "import" imports a
   real-looking Strong export of about 36,000 sets (bench.portability's generator) through
   `POST /imports`, as a lifter moving from another app does.
4. Measures twice: "fresh", right after the load (a lifter who has just imported years of
   history and does not wait for autovacuum), then after VACUUM ANALYZE. Each round sends, per
   lifter, `--warmups` then `--requests` timed requests to `GET /users/me` (the floor of any
   authenticated request, measured in the same round), stats and records, one at a time (one
   client, keep-alive). It prints per case the median of the rounds' p50, the p95 of all
   requests, and the p50 minus the floor.
5. Stops the server and drops the database (unless `--keep`).
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import select

from bench import portability
from ironlog.core import migrations
from ironlog.core.config import Settings
from ironlog.core.db import create_engine, create_sessionmaker, session_scope
from ironlog.exercises import library
from ironlog.models import Exercise
from ironlog.workouts.repository import insert_trees

ADMIN_URL = os.environ.get(
    "IRONLOG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
ROUTES = {
    "me": "/api/v1/users/me",
    "stats": "/api/v1/users/me/stats",
    "records": "/api/v1/users/me/records",
}
LIFTERS = ("1y", "5y", "import")
WORKOUTS_PER_YEAR = 300
VACATION_WEEKS_PER_YEAR = 2
SEED = 20261126

# A push / pull / legs split, twice a week: six workouts of six exercises. Each exercise has a
# starting working weight (None: bodyweight) and what one year of training adds to it.
PROGRAM: dict[str, list[tuple[str, float | None, float]]] = {
    "push": [
        ("Bench Press", 70.0, 7.5),
        ("Overhead Press", 40.0, 4.0),
        ("Incline Dumbbell Press", 24.0, 2.0),
        ("Cable Fly", 15.0, 1.5),
        ("Lateral Raise", 8.0, 1.0),
        ("Tricep Pushdown", 25.0, 2.5),
    ],
    "pull": [
        ("Deadlift", 110.0, 12.5),
        ("Pull-Up", None, 0.0),
        ("Bent-Over Row", 60.0, 5.0),
        ("Lat Pulldown", 50.0, 4.0),
        ("Face Pull", 20.0, 2.0),
        ("Barbell Curl", 30.0, 2.5),
    ],
    "legs": [
        ("Back Squat", 90.0, 10.0),
        ("Romanian Deadlift", 80.0, 7.5),
        ("Leg Press", 140.0, 15.0),
        ("Lying Leg Curl", 35.0, 3.0),
        ("Standing Calf Raise", 60.0, 5.0),
        ("Plank", None, 0.0),
    ],
}
TIMED = {"Plank"}
EXERCISES_TOTAL = 40
EXERCISES_PER_WORKOUT = 6
SETS_PER_EXERCISE = 4
BENCH_TABLES = (
    "workout",
    "exercise_execution",
    "workout_set",
    "execution_summary",
    "exercise_summary",
)
LOAD_WORKOUTS = 250
IMPORT_SETS = 36_000
# Right after the load (autovacuum held off), then after VACUUM ANALYZE.
STATES = ("fresh", "analyzed")


@dataclass
class Generated:
    workouts: list[dict[str, Any]]
    executions: list[dict[str, Any]]
    sets: list[dict[str, Any]]


def _postgres_url(database: str) -> str:
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _training_days(years: int, now: datetime) -> Iterator[datetime]:
    """Monday..Saturday of each week of `years` years ending with this week, minus vacations."""
    rng = random.Random(SEED + years)
    this_monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    weeks = 52 * years
    vacations = set(rng.sample(range(1, weeks - 1), VACATION_WEEKS_PER_YEAR * years))
    for back in range(weeks - 1, -1, -1):
        if back in vacations:
            continue
        monday = this_monday - timedelta(weeks=back)
        for day in range(6):
            yield monday + timedelta(days=day, hours=17, minutes=rng.randrange(0, 120))


def _set_row(
    workout_id: uuid.UUID,
    exercise_id: uuid.UUID,
    position: int,
    stamp: datetime,
    **values: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "workout_id": workout_id,
        "exercise_id": exercise_id,
        "position": position,
        "set_type": "normal",
        "weight_kg": None,
        "reps": None,
        "duration_seconds": None,
        "distance_m": None,
        "rpe": None,
        "rest_seconds": 120,
        "completed": True,
        "notes": None,
        "created_at": stamp,
        "updated_at": stamp,
    }
    row.update(values)
    return row


def _sets_for(
    rng: random.Random,
    exercise: tuple[str, float | None, float],
    progress_years: float,
) -> list[dict[str, Any]]:
    """The values of one execution's 4 sets: often a warm-up for loaded lifts, then work sets."""
    name, start, per_year = exercise
    if name in TIMED:
        return [{"duration_seconds": rng.randrange(30, 121, 5)} for _ in range(SETS_PER_EXERCISE)]
    values: list[dict[str, Any]] = []
    working = None
    if start is not None:
        working = start + per_year * progress_years
        if rng.random() < 0.5:
            values.append({"set_type": "warmup", "weight_kg": round(working * 0.5 / 2.5) * 2.5})
            values[-1]["reps"] = 10
    for _ in range(SETS_PER_EXERCISE - len(values)):
        reps = rng.choice((1, 3, 5, 5, 6, 8, 8, 10, 12, 15))
        weight = None
        if working is not None:
            weight = round(working * (1.12 - reps * 0.02) * rng.uniform(0.95, 1.05) / 1.25) * 1.25
        values.append(
            {
                "set_type": rng.choices(("normal", "failure", "drop"), weights=(90, 5, 5))[0],
                "weight_kg": weight,
                "reps": reps,
                "completed": rng.random() > 0.02,
            }
        )
    return values


def exercise_pool(library_names: list[str]) -> list[tuple[str, float | None, float]]:
    """The program's 18 exercises and more loaded ones from the library, 40 in all, each with
    its starting weight and yearly progress."""
    rng = random.Random(SEED)
    pool = [exercise for day in PROGRAM.values() for exercise in day]
    taken = {name for name, _, _ in pool}
    extra = [name for name in sorted(library_names) if name not in taken]
    for name in rng.sample(extra, EXERCISES_TOTAL - len(pool)):
        pool.append((name, float(rng.randrange(10, 100, 5)), rng.choice((1.0, 2.5, 5.0))))
    return pool


def generate(
    user_id: uuid.UUID,
    years: int,
    exercise_ids: dict[str, uuid.UUID],
    pool: list[tuple[str, float | None, float]],
) -> Generated:
    rng = random.Random(SEED * years)
    now = datetime.now(UTC)
    days = list(_training_days(years, now))
    first = days[0]
    out = Generated([], [], [])
    for index, started_at in enumerate(days):
        workout_id = uuid.uuid4()
        last = index == len(days) - 1
        finished_at = None if last else started_at + timedelta(minutes=rng.randrange(45, 95))
        out.workouts.append(
            {
                "id": workout_id,
                "user_id": user_id,
                "name": f"Workout {index + 1}",
                "notes": None,
                "status": "in_progress" if last else "finished",
                "started_at": started_at,
                "finished_at": finished_at,
                "source": None,
                "source_key": None,
                "version": 1,
                "change_seq": 0,
                "created_at": started_at,
                "updated_at": finished_at or started_at,
            }
        )
        progress = (started_at - first).days / 365
        for position, exercise in enumerate(rng.sample(pool, EXERCISES_PER_WORKOUT)):
            exercise_id = exercise_ids[exercise[0]]
            out.executions.append(
                {
                    "workout_id": workout_id,
                    "exercise_id": exercise_id,
                    "position": position,
                    "notes": None,
                    "created_at": started_at,
                    "updated_at": started_at,
                }
            )
            out.sets.extend(
                _set_row(workout_id, exercise_id, set_position, started_at, **values)
                for set_position, values in enumerate(_sets_for(rng, exercise, progress))
            )
    return out


async def load_history(settings: Settings, users: dict[int, uuid.UUID]) -> dict[int, Generated]:
    """Insert the generated histories (autovacuum is held off on the tables they fill, so the
    first measurement sees the database as a lifter who has just loaded years of history)."""
    engine = create_engine(settings)
    generated: dict[int, Generated] = {}
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            rows = await session.execute(
                select(Exercise.name, Exercise.id, Exercise.modality).where(
                    Exercise.user_id.is_(None)
                )
            )
            library_rows = rows.all()
            exercise_ids = {row.name: row.id for row in library_rows}
            names = [name for day in PROGRAM.values() for name, _, _ in day]
            missing = set(names) - set(exercise_ids)
            if missing:
                raise SystemExit(f"exercises missing from the system library: {sorted(missing)}")
            loaded = [row.name for row in library_rows if row.modality != "BODYWEIGHT"]
            pool = exercise_pool(loaded)
            for years, user_id in users.items():
                data = generate(user_id, years, exercise_ids, pool)
                # Whole workouts per call, as the API writes them (their summaries with them).
                for chunk in range(0, len(data.workouts), LOAD_WORKOUTS):
                    workouts = data.workouts[chunk : chunk + LOAD_WORKOUTS]
                    ids = {workout["id"] for workout in workouts}
                    await insert_trees(
                        session,
                        workouts=workouts,
                        executions=[row for row in data.executions if row["workout_id"] in ids],
                        sets=[row for row in data.sets if row["workout_id"] in ids],
                    )
                generated[years] = data
    finally:
        await engine.dispose()
    return generated


async def _execute(settings: Settings, *statements: str) -> None:
    connection = await asyncpg.connect(settings.database_url, timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def start_server(settings: Settings, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "IRONLOG_DATABASE_URL": str(settings.database_url),
        "IRONLOG_DATA_DIR": str(data_dir),
        "IRONLOG_ENV": "development",
        "IRONLOG_LOG_LEVEL": "WARNING",
    }
    command = [str(Path(sys.executable).with_name("ironlog")), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"ironlog serve exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("ironlog serve did not start within 60 s")


def register(client: httpx.Client, label: str) -> tuple[uuid.UUID, str]:
    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": f"{label}-{uuid.uuid4().hex[:8]}@example.com",
            "password": "bench password",
            "name": label,
        },
    )
    response.raise_for_status()
    body = response.json()
    return uuid.UUID(body["user"]["id"]), body["tokens"]["access_token"]


def measure(
    client: httpx.Client, path: str, token: str, requests: int, warmups: int
) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(warmups):  # connections, prepared statements, caches
        client.get(path, headers=headers).raise_for_status()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def import_history(client: httpx.Client, token: str, folder: Path) -> dict[str, Any]:
    """A real-looking Strong export (bench.portability's generator), imported over the API as a
    lifter would: about IMPORT_SETS sets over six years, in pounds."""
    file = folder / "strong_export.csv"
    portability.generate(file, IMPORT_SETS)
    with file.open("rb") as handle:
        response = client.post(
            "/api/v1/imports",
            files={"file": (file.name, handle, "text/csv")},
            data={"unit": "lb", "timezone": "America/Los_Angeles"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=600,
        )
    response.raise_for_status()
    report: dict[str, Any] = response.json()
    return report


# Cases: (route, lifter); "me" is GET /users/me, the floor of any authenticated request.
Results = dict[tuple[str, str, str], list[list[float]]]


def report(sizes: dict[str, str], results: Results, zone: str, rounds: int, requests: int) -> None:
    print()
    # Timings on a shared machine depend on what else runs: say how busy it was.
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs; time zone {zone}")
    for lifter, size in sizes.items():
        print(f"{lifter}: {size}")
    print(f"{rounds} rounds of {requests} requests per case; p50 is the median of the rounds'")
    print()
    print(f"{'state':<10}{'route':<9}{'lifter':>8}{'p50 ms':>9}{'p95 ms':>9}{'- floor':>9}")
    for (state, route, lifter), runs in results.items():
        p50 = statistics.median(statistics.median(run) for run in runs)
        p95 = percentile([value for run in runs for value in run], 0.95)
        floor = statistics.median(statistics.median(run) for run in results[(state, "me", lifter)])
        over = "" if route == "me" else f"{p50 - floor:>9.2f}"
        print(f"{state:<10}{route:<9}{lifter:>8}{p50:>9.2f}{p95:>9.2f}{over}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=40, help="Timed requests per case.")
    parser.add_argument("--warmups", type=int, default=5, help="Untimed requests before them.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds over every case.")
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--database", default="ironlog_bench_stats")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument(
        "--timezone", default="America/Los_Angeles", help="The lifters' time zone (IANA name)."
    )
    args = parser.parse_args()

    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{args.database}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="ironlog-bench-") as data_dir:
            settings = Settings(
                _env_file=None,
                env="development",
                database_url=_postgres_url(args.database),
                data_dir=Path(data_dir),
            )
            migrations.upgrade(settings)
            asyncio.run(_load_library(settings))
            server = start_server(settings, args.port, Path(data_dir))
            try:
                run(settings, args, Path(data_dir))
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        if not args.keep:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))


async def _load_library(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await library.load(session)
    finally:
        await engine.dispose()


def run(settings: Settings, args: argparse.Namespace, folder: Path) -> None:
    base_url = f"http://127.0.0.1:{args.port}"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        accounts = {lifter: register(client, f"lifter-{lifter}") for lifter in LIFTERS}
        for _, token in accounts.values():
            client.patch(
                "/api/v1/users/me/preferences",
                json={"timezone": args.timezone},
                headers={"Authorization": f"Bearer {token}"},
            ).raise_for_status()
        # Autovacuum held off before anything is written: "fresh" is a lifter who has just
        # loaded or imported years of history.
        asyncio.run(
            _execute(
                settings,
                *(f"ALTER TABLE {t} SET (autovacuum_enabled = false)" for t in BENCH_TABLES),
            )
        )
        print("generating and loading the histories ...", flush=True)
        generated = asyncio.run(
            load_history(settings, {1: accounts["1y"][0], 5: accounts["5y"][0]})
        )
        sizes = {
            f"{years}y": f"{len(data.workouts):,} workouts, {len(data.executions):,} executions, "
            f"{len(data.sets):,} sets (loaded with insert_trees)"
            for years, data in generated.items()
        }
        print("importing a Strong export over the API ...", flush=True)
        started = time.perf_counter()
        imported = import_history(client, accounts["import"][1], folder)
        sizes["import"] = (
            f"{imported['workouts_new']:,} workouts, {imported['sets']:,} sets "
            f"(Strong CSV over POST /imports, {time.perf_counter() - started:.1f} s)"
        )
        results: Results = {}
        for state in STATES:
            if state == "analyzed":
                asyncio.run(_execute(settings, "VACUUM ANALYZE"))
            for _ in range(args.rounds):
                for lifter, (_, token) in accounts.items():
                    for route, path in ROUTES.items():
                        timings = measure(client, path, token, args.requests, args.warmups)
                        results.setdefault((state, route, lifter), []).append(timings)
        headers = {"Authorization": f"Bearer {accounts['5y'][1]}"}
        body = client.get(ROUTES["stats"], headers=headers).json()
        print(
            f"5y stats: {body['total_workouts']} workouts, {body['total_sets']} working sets, "
            f"{body['total_volume_kg']} kg, streak {body['current_streak_weeks']} / "
            f"{body['longest_streak_weeks']} weeks"
        )
    report(sizes, results, args.timezone, args.rounds, args.requests)


if __name__ == "__main__":
    main()
