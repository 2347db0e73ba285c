"""Benchmark of the sync feed (`GET /api/v1/sync`) on PostgreSQL, over HTTP.

    uv run python -m bench.sync [--requests 300] [--limit 1000] [--port 8104] [--keep]

1. Creates its own PostgreSQL database (`ironlog_bench_sync`; admin URL from
   `IRONLOG_BENCH_POSTGRES_URL`), migrates it and loads the exercise library.
2. Starts `ironlog serve` (one process) and registers two lifters; gives them one and five
   years of history (bench/stats.py's generator: 1,500 workouts and about 40,000 sets for five
   years), numbered as the feed numbers them (one change per workout, in order), then runs
   VACUUM ANALYZE.
3. Per lifter: a full snapshot paged with `--limit` (wall time of all pages, changes, bytes),
   then `--requests` syncs of an up-to-date client (p50 / p95), one client, keep-alive.
4. Prints the server's peak memory (VmHWM) after each snapshot: flat means bounded, and
   `GET /users/me` (one authenticated query) as the floor of any authenticated request.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

from bench.stats import (
    _admin,
    _load_library,
    _postgres_url,
    load_history,
    measure,
    percentile,
    register,
    start_server,
)
from ironlog.core import migrations
from ironlog.core.config import Settings

WARMUPS = 5
SYNC = "/api/v1/sync"


async def number_changes(url: str) -> None:
    """One change number per workout, in the order they were logged, as if made one by one."""
    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute(
            """
            UPDATE workout SET change_seq = numbered.n
            FROM (SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY started_at) AS n
                  FROM workout) AS numbered
            WHERE workout.id = numbered.id;
            UPDATE app_user SET change_seq = coalesce(
                (SELECT max(change_seq) FROM workout WHERE workout.user_id = app_user.id), 0);
            """
        )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def snapshot(client: httpx.Client, token: str, limit: int) -> tuple[float, int, int, str]:
    """Page through the whole feed: (seconds, changes, bytes, the last cursor)."""
    headers = {"Authorization": f"Bearer {token}"}
    cursor: str | None = None
    changes = size = 0
    started = time.perf_counter()
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = client.get(SYNC, params=params, headers=headers)
        response.raise_for_status()
        body = response.json()
        changes += len(body["changes"])
        size += len(response.content)
        cursor = body["cursor"]
        if not body["has_more"]:
            return time.perf_counter() - started, changes, size, cursor


def run(settings: Settings, args: argparse.Namespace, pid: int) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=60) as client:
        accounts = {years: register(client, f"sync-{years}y") for years in (1, 5)}
        print("generating and loading the histories ...", flush=True)
        generated = asyncio.run(
            load_history(settings, {years: user_id for years, (user_id, _) in accounts.items()})
        )
        asyncio.run(number_changes(str(settings.database_url)))
        reference = measure(client, "/api/v1/users/me", accounts[1][1], args.requests, WARMUPS)
        print(
            f"\nfor reference, GET /api/v1/users/me: p50 {statistics.median(reference):.2f} ms, "
            f"p95 {percentile(reference, 0.95):.2f} ms"
        )
        print(f"{'history':<9}{'workouts':>9}{'sets':>8}{'snapshot s':>12}{'MiB':>7}"
              f"{'peak RSS MiB':>14}{'up-to-date p50 ms':>19}{'p95 ms':>8}")  # fmt: skip
        for years, (_, token) in accounts.items():
            snapshot(client, token, args.limit)  # warm-up: plans, caches
            seconds, changes, size, cursor = snapshot(client, token, args.limit)
            data = generated[years]
            # The workouts, and the preferences that every snapshot holds.
            assert changes == len(data.workouts) + 1, (changes, len(data.workouts))
            timings = measure(client, f"{SYNC}?cursor={cursor}", token, args.requests, WARMUPS)
            print(
                f"{years:>7}y {len(data.workouts):>9,}{len(data.sets):>8,}{seconds:>12.2f}"
                f"{size / 2**20:>7.1f}{peak_memory_mib(pid):>14.0f}"
                f"{statistics.median(timings):>19.2f}{percentile(timings, 0.95):>8.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=300, help="Timed up-to-date syncs.")
    parser.add_argument("--limit", type=int, default=1000, help="Changes per snapshot page.")
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--database", default="ironlog_bench_sync")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
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
                run(settings, args, server.pid)
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        if not args.keep:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
