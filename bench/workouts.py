"""Workout read and write paths against a raw-driver floor, on PostgreSQL.

    uv run python -m bench.workouts [--seconds 10] [--rounds 3] [--connections 32]
                                    [--against REVISION]

Runs IronLog and `bench/raw_floor.py` (Starlette + asyncpg + orjson serving the same bodies
with one query per request and no authentication) side by side on a throwaway database, one
uvicorn process each, and drives them with wrk in turn, round after round and in a rotating
order, so that load from elsewhere on the machine hits both alike. Prints requests/s, latency
and each server process's CPU time per request (what one process's requests/s is bound by) per
round, and the median ratio IronLog / floor. The targets: >= 0.6 for GET one workout
(6 exercises x 4 sets), >= 0.7 for the list of 20 such workouts, >= 0.6 for creating one with
its 6 x 4 tree.

`--against REVISION` also serves the project at that git revision (a temporary worktree) on the
same database and prints, per round, how much CPU per request this tree spends more or less:
the way to tell a change of a few percent, which the drift of a machine between two runs hides.
"""

import argparse
import asyncio
import contextlib
import json
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx

from bench.common import LoadResult, server, server_env, throwaway_database, wrk

IRONLOG_PORT, FLOOR_PORT, AGAINST_PORT, SEED_PORT = 8201, 8202, 8203, 8204
TARGETS = {"get one": 0.6, "list 20": 0.7, "create 6x4": 0.6}


def system_exercise_ids(url: str, count: int) -> list[str]:
    async def fetch() -> list[str]:
        connection = await asyncpg.connect(url)
        try:
            rows = await connection.fetch(
                "SELECT id FROM exercise WHERE user_id IS NULL ORDER BY name LIMIT $1", count
            )
        finally:
            await connection.close()
        return [str(row["id"]) for row in rows]

    return asyncio.run(fetch())


def workout_body(exercise_ids: list[str]) -> dict[str, object]:
    return {
        "name": "Bench day",
        "exercises": [
            {
                "exercise_id": exercise_id,
                "sets": [{"weight_kg": 60 + 2.5 * n, "reps": 8 - n, "rpe": 8} for n in range(4)],
            }
            for exercise_id in exercise_ids
        ],
    }


def register(client: httpx.Client, email: str) -> tuple[str, str]:
    """A new account's access token and user id."""
    response = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": "bench password", "name": "Bench"},
    )
    response.raise_for_status()
    body = response.json()
    return body["tokens"]["access_token"], body["user"]["id"]


def analyze(url: str) -> None:
    """Refresh the planner's statistics, as autovacuum would on a live database.

    On a new database every backend plans its foreign-key checks while the tables are nearly
    empty and caches generic plans that scan them; until an ANALYZE invalidates those plans,
    each insert gets slower as the tables grow. Whichever server planned first would lose.
    """

    async def run() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("ANALYZE")
        finally:
            await connection.close()

    asyncio.run(run())


def seed(base: str, url: str) -> tuple[tuple[str, str], tuple[str, str], str, dict[str, object]]:
    """A reader with 300 workouts of 6 exercises x 4 sets (a lifter's year or so: the database
    is not empty when the measuring starts, so the planner has real tables to plan for), and a
    writer whose workouts the create benchmark adds (so the reader's list stays the same).
    Returns both (token, user id), one of the reader's workout ids and the create body."""
    body = workout_body(system_exercise_ids(url, 6))
    with httpx.Client(base_url=base, timeout=30) as client:
        reader = register(client, "reader@example.com")
        writer = register(client, "writer@example.com")
        workout_id = ""
        for _ in range(300):
            response = client.post(
                "/api/v1/workouts", json=body, headers={"Authorization": f"Bearer {reader[0]}"}
            )
            response.raise_for_status()
            workout_id = response.json()["id"]
    return reader, writer, workout_id, body


def _shape(value: object) -> object:
    """A body with its generated values (ids, times) blanked, to compare two creates."""
    if isinstance(value, dict):
        return {
            key: "*" if key in {"id", "created_at", "updated_at", "started_at"} else _shape(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return value


def check_same_bodies(
    ironlog: str, floor: str, reader: tuple[str, str], workout_id: str, body: dict[str, object]
) -> None:
    """The floor must serve what IronLog serves, or the ratios compare different work."""
    headers = {"Authorization": f"Bearer {reader[0]}"}
    pairs = [
        (f"/api/v1/workouts/{workout_id}", f"/api/v1/workouts/{workout_id}"),
        ("/api/v1/workouts", f"/api/v1/workouts?user={reader[1]}"),
    ]
    for ironlog_path, floor_path in pairs:
        ours = httpx.get(ironlog + ironlog_path, headers=headers).json()
        theirs = httpx.get(floor + floor_path).json()
        if ours != theirs:
            raise SystemExit(f"the floor's {floor_path} differs from IronLog's")
    ours = httpx.post(ironlog + "/api/v1/workouts", json=body, headers=headers).json()
    theirs = httpx.post(floor + f"/api/v1/workouts?user={reader[1]}", json=body).json()
    if _shape(ours) != _shape(theirs):
        raise SystemExit("the floor's created workout differs from IronLog's")


def lua(path: Path, token: str, body: dict[str, object] | None = None) -> Path:
    lines = [f'wrk.headers["Authorization"] = "Bearer {token}"']
    if body is not None:
        lines += [
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/json"',
            f"wrk.body = {json.dumps(json.dumps(body))}",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


@contextlib.contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """The project at `revision` in a temporary git worktree (its `src` is put first on the
    second server's PYTHONPATH); removed afterwards."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "tree"
        git = ["git", "-C", str(root), "worktree"]
        subprocess.run([*git, "add", "--detach", str(tree), revision], check=True)
        try:
            yield tree
        finally:
            subprocess.run([*git, "remove", "--force", str(tree)], check=True)


def run(
    seconds: int, rounds: int, connections: int, against: Path | None = None
) -> dict[str, list[dict[str, LoadResult]]]:
    """Per endpoint, per round, each server's load result: "ironlog", "floor" and, with
    `against`, "against" (the project at another revision, on the same database). The servers
    take turns in a rotating order, so that neither the first nor the last place of a round
    favours one of them."""
    results: dict[str, list[dict[str, LoadResult]]] = {}
    with throwaway_database("ironlog_bench_workouts") as url, tempfile.TemporaryDirectory() as tmp:
        env = server_env(url)
        # The floor's pool: at most 10 connections, the others wait. SQLAlchemy's overflow
        # connections are closed when returned, so 32 clients against 10 + 10 would open and
        # close a connection on almost every request (GET one: 395 req/s instead of 918).
        ironlog_env = {**env, "IRONLOG_DB_POOL_SIZE": "10", "IRONLOG_DB_MAX_OVERFLOW": "0"}
        # Seeded through a server of its own: a measured server that had served the 300
        # creates first would not start the rounds in the same state as the others (the same
        # code served twice this way differed by up to 15% in CPU per request).
        with server("ironlog.main:create_app", SEED_PORT, ironlog_env, factory=True) as seeder:
            reader, (writer, writer_id), workout_id, body = seed(seeder, url)
        with contextlib.ExitStack() as servers:
            bases = {
                "ironlog": servers.enter_context(
                    server("ironlog.main:create_app", IRONLOG_PORT, ironlog_env, factory=True)
                ),
                "floor": servers.enter_context(server("bench.raw_floor:app", FLOOR_PORT, env)),
            }
            if against is not None:
                other_env = {**ironlog_env, "PYTHONPATH": str(against / "src")}
                bases["against"] = servers.enter_context(
                    server("ironlog.main:create_app", AGAINST_PORT, other_env, factory=True)
                )
            check_same_bodies(bases["ironlog"], bases["floor"], reader, workout_id, body)
            reader_id = reader[1]
            analyze(url)
            read_script = lua(Path(tmp) / "r.lua", reader[0])
            write_script = lua(Path(tmp) / "w.lua", writer, body)
            # (IronLog's path, the floor's path, script): the floor is told the user in the query.
            scripts = {
                "get one": (f"/api/v1/workouts/{workout_id}",) * 2 + (read_script,),
                "list 20": ("/api/v1/workouts", f"/api/v1/workouts?user={reader_id}", read_script),
                "create 6x4": (
                    "/api/v1/workouts",
                    f"/api/v1/workouts?user={writer_id}",
                    write_script,
                ),
            }
            names = list(bases)
            for turn in range(rounds):
                analyze(url)
                order = names[turn % len(names) :] + names[: turn % len(names)]
                for label, (ironlog_path, floor_path, script) in scripts.items():
                    measured = {}
                    for name in order:
                        target = bases[name] + (floor_path if name == "floor" else ironlog_path)
                        wrk(target, seconds=1, connections=connections, script=script)
                        measured[name] = wrk(
                            target, seconds=seconds, connections=connections, script=script
                        )
                    results.setdefault(label, []).append(measured)
    return results


def report(results: dict[str, list[dict[str, LoadResult]]], against: str | None) -> None:
    servers = ["ironlog", *(["against"] if against else [])]
    print(
        f"{'endpoint':<12} {'round':>5} {'server':<10} {'req/s':>7} {'floor req/s':>12} "
        f"{'ratio':>6} {'p50/p99 ms':>16} {'floor p50/p99 ms':>17} {'server CPU us/req':>18}"
    )
    for label, measurements in results.items():
        for index, measured in enumerate(measurements, 1):
            floor = measured["floor"]
            for name in servers:
                served = measured[name]
                print(
                    f"{label:<12} {index:>5} {name:<10} {served.requests_per_second:>7.0f} "
                    f"{floor.requests_per_second:>12.0f} "
                    f"{served.requests_per_second / floor.requests_per_second:>6.2f} "
                    f"{served.p50_ms:>7.2f}/{served.p99_ms:<8.2f} "
                    f"{floor.p50_ms:>8.2f}/{floor.p99_ms:<8.2f} "
                    f"{served.server_cpu_us:>8.0f}/{floor.server_cpu_us:<8.0f}"
                )
    print(
        "\nmedian ratio IronLog / floor, requests/s (and floor / IronLog, p50 latency);"
        " medians of server CPU per request and of p99 latency, IronLog / floor:"
    )
    for label, measurements in results.items():
        for name in servers:
            title = "" if name == "ironlog" else f"  ({against})"
            ours = [measured[name] for measured in measurements]
            floors = [measured["floor"] for measured in measurements]
            ratio = statistics.median(
                o.requests_per_second / f.requests_per_second
                for o, f in zip(ours, floors, strict=True)
            )
            latency = statistics.median(
                f.p50_ms / o.p50_ms for o, f in zip(ours, floors, strict=True)
            )
            cpu = statistics.median(o.server_cpu_us for o in ours)
            floor_cpu = statistics.median(f.server_cpu_us for f in floors)
            p99 = statistics.median(o.p99_ms for o in ours)
            floor_p99 = statistics.median(f.p99_ms for f in floors)
            print(
                f"  {label:<12} {ratio:.2f} ({latency:.2f})  target >= {TARGETS[label]}"
                f"   {cpu:.0f} / {floor_cpu:.0f} us   p99 {p99:.0f} / {floor_p99:.0f} ms{title}"
            )
    if against:
        # Machines drift by more than a small change saves between rounds: compare in each round.
        print(f"\nrequests/s, this tree / {against}, per round:")
        for label, measurements in results.items():
            ratios = [
                m["ironlog"].requests_per_second / m["against"].requests_per_second
                for m in measurements
            ]
            faster = sum(ratio > 1 for ratio in ratios)
            print(
                f"  {label:<12} median {statistics.median(ratios):.2f}, faster in {faster} of"
                f" {len(ratios)} rounds: {[round(ratio, 2) for ratio in ratios]}"
            )
        print(f"\nserver CPU per request, this tree - {against}, per round (negative: cheaper):")
        for label, measurements in results.items():
            deltas = [m["ironlog"].server_cpu_us - m["against"].server_cpu_us for m in measurements]
            cheaper = sum(delta < 0 for delta in deltas)
            print(
                f"  {label:<12} mean {statistics.fmean(deltas):+.0f} us, cheaper in {cheaper} of"
                f" {len(deltas)} rounds: {[round(delta) for delta in deltas]}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--against",
        metavar="REVISION",
        help="also serve the project at this git revision, on the same database, and compare",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        against = stack.enter_context(checkout(args.against)) if args.against else None
        results = run(args.seconds, args.rounds, args.connections, against)
    report(results, args.against)


if __name__ == "__main__":
    main()
