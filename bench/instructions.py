"""Instructions per request, IronLog against the floor, counted by valgrind: figures that do
not move with the load of the machine.

    uv run python -m bench.instructions [--routes get list create] [--requests 320]
                                        [--concurrency 32] [--against REVISION]

For each route and each server (IronLog, `bench/raw_floor.py` and, with `--against`, the
project at another git revision), a child process under `valgrind --tool=callgrind` builds the
application on a throwaway PostgreSQL database, seeds it through IronLog's API (30 workouts of
6 exercises x 4 sets), sends 100 requests to warm up, then counts the instructions of
`--requests` requests sent to the ASGI application directly, `--concurrency` at a time
(instrumentation is switched on and off around them with `callgrind_control`). IronLog runs
with the pool `bench.workouts` gives it (10 connections, no overflow).

What it counts: the server process's own work, in-process (no HTTP parsing, which costs both
servers the same). Not the database's work, which `bench.workouts` includes. The same code gives
the same count within a few tenths of a percent whatever else the machine does, where
requests/s under wrk drift by 5-15% between runs and even between two servers of one run: this
is the measure to decide whether a change to the request path saves anything. The ratio floor /
IronLog is what IronLog's requests/s would be against the floor's if the server's CPU were all
that bound them.
"""

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import uvloop

from bench.common import throwaway_database
from bench.in_process import (
    ROUTES,
    Seeded,
    asgi_scope,
    drive_asgi,
    production_app,
    request_for,
    seed,
)
from bench.workouts import checkout, system_exercise_ids, workout_body

WARM_UP = 100


def _switch_counting(state: str) -> None:
    subprocess.run(
        ["callgrind_control", "--instr", state, str(os.getpid())],
        check=True,
        capture_output=True,
    )


def _production_app(url: str) -> Any:
    # Under valgrind a request takes some fifty times as long: no deadline, a long pool wait.
    return production_app(
        url,
        db_pool_size=10,
        db_max_overflow=0,
        db_connect_timeout_seconds=600,
        request_timeout_seconds=0,
    )


async def _seed(url: str, create_body: dict[str, object]) -> Seeded:
    """Outside valgrind, where hashing the account's password takes a moment, not minutes."""
    app = _production_app(url)
    async with app.router.lifespan_context(app):
        return await seed(app, create_body)


async def _count(server: str, route: str, url: str, seeded: Seeded, requests: int) -> None:
    """In the child under valgrind: warm up, then count `requests` requests."""
    create_body = json.loads(os.environ[_BODY])
    method, path, body = request_for(route, seeded, create_body)
    if server == "floor":
        os.environ["IRONLOG_DATABASE_URL"] = url  # read by the floor as it is imported
        from bench import raw_floor

        app: Any = raw_floor.app
        query = "" if route == "get" else f"user={seeded.user_id}"
    else:
        app, query = _production_app(url), ""
    concurrency = int(os.environ[_CONCURRENCY])
    scope = asgi_scope(method, path, seeded.token, json_body=bool(body), query=query)
    async with app.router.lifespan_context(app):
        await drive_asgi(app, scope, body, WARM_UP, concurrency)
        _switch_counting("on")
        await drive_asgi(app, scope, body, requests, concurrency)
        _switch_counting("off")


_BODY, _CONCURRENCY = "IRONLOG_BENCH_CREATE_BODY", "IRONLOG_BENCH_CONCURRENCY"


def instructions(
    server: str, route: str, requests: int, concurrency: int, source: Path | None = None
) -> float:
    """Instructions per request of `route` on `server` ("ironlog" or "floor"), counted in a
    child process under callgrind; `source`: the `src` folder of another revision."""
    with (
        throwaway_database("ironlog_bench_instructions") as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        create_body = workout_body(system_exercise_ids(url, 6))
        seeded = asyncio.run(_seed(url, create_body))
        env = {**os.environ, _BODY: json.dumps(create_body), _CONCURRENCY: str(concurrency)}
        if source is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
        log = Path(tmp) / "valgrind.log"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={tmp}/callgrind.out",
            f"--log-file={log}",
            sys.executable,
            "-m",
            "bench.instructions",
            "--child",
            server,
            route,
            url,
            json.dumps(dataclasses.asdict(seeded)),
            str(requests),
        ]
        subprocess.run(command, env=env, check=True)
        collected = re.search(r"Collected\s*:\s*(\d+)", log.read_text())
    if collected is None:
        raise SystemExit(f"callgrind counted nothing for {server} {route}")
    return int(collected.group(1)) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routes", nargs="+", choices=ROUTES, default=list(ROUTES))
    parser.add_argument("--requests", type=int, default=320)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--against", metavar="REVISION")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        server, route, url, seeded, requests = args.child
        uvloop.run(_count(server, route, url, Seeded(**json.loads(seeded)), int(requests)))
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("valgrind is needed for this benchmark: apt-get install valgrind")
    with checkout(args.against) if args.against else contextlib.nullcontext() as tree:
        header = f"{'route':<8} {'IronLog':>12} {'floor':>12} {'floor/IronLog':>14}"
        if tree is not None:
            header += f" {args.against:>12} {'change':>8}"
        print("instructions per request (in-process, this process only)")
        print(header, flush=True)
        for route in args.routes:
            ours = instructions("ironlog", route, args.requests, args.concurrency)
            floor = instructions("floor", route, args.requests, args.concurrency)
            line = f"{route:<8} {ours:>12,.0f} {floor:>12,.0f} {floor / ours:>14.2f}"
            if tree is not None:
                theirs = instructions(
                    "ironlog", route, args.requests, args.concurrency, tree / "src"
                )
                line += f" {theirs:>12,.0f} {ours / theirs - 1:>+8.1%}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
