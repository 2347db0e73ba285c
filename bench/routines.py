"""Starting a workout from a routine, on PostgreSQL, one client.

    uv run python -m bench.routines [--requests 300]

A throwaway database; a routine of 6 exercises x 4 sets with progression on every exercise and
5 years of history (3 finished workouts a week started from it, each 6 x 4 sets, plus 2 other
workouts a week), written straight through asyncpg. Then `POST /routines/{id}/start` one request
at a time (each new workout is deleted again, so the history stays the same), interleaved with
two routes to compare with, and the latency percentiles. The target is p50 < 15 ms.
"""

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.common import server, server_env, throwaway_database
from bench.workouts import analyze, register, system_exercise_ids, workout_body

PORT = 8211
START = "POST /routines/{id}/start"
YEARS = 5
ROUTINE_WORKOUTS_PER_WEEK = 3
OTHER_WORKOUTS_PER_WEEK = 2


def routine_body(exercise_ids: list[str]) -> dict[str, object]:
    return {
        "name": "Upper A",
        "exercises": [
            {
                "exercise_id": exercise_id,
                "rest_seconds": 120,
                "progression": {"increment_kg": 2.5},
                "sets": [
                    {"set_type": "warmup", "weight_kg": 40, "reps": 10},
                    *({"weight_kg": 80, "rep_range": {"min": 6, "max": 8}} for _ in range(3)),
                ],
            }
            for exercise_id in exercise_ids
        ],
    }


async def seed_history(url: str, user_id: str, routine_id: str, exercise_ids: list[str]) -> int:
    """Five years of finished workouts; returns how many were written."""
    now = datetime.now(UTC)
    weeks = 52 * YEARS
    workouts, executions, sets = [], [], []
    for week in range(weeks):
        for day in range(ROUTINE_WORKOUTS_PER_WEEK + OTHER_WORKOUTS_PER_WEEK):
            started = now - timedelta(weeks=weeks - week, days=day)
            workout_id = uuid.uuid4()
            from_routine = day < ROUTINE_WORKOUTS_PER_WEEK
            workouts.append(
                (workout_id, uuid.UUID(user_id), "Upper A" if from_routine else "Other",
                 "finished", started, started + timedelta(hours=1),
                 uuid.UUID(routine_id) if from_routine else None, started)
            )  # fmt: skip
            for position, exercise_id in enumerate(exercise_ids):
                executions.append((workout_id, uuid.UUID(exercise_id), position, started))
                for set_position in range(4):
                    sets.append(
                        (uuid.uuid4(), workout_id, uuid.UUID(exercise_id), set_position,
                         "warmup" if set_position == 0 else "normal",
                         40 + week * 0.25, 8, started)
                    )  # fmt: skip
    connection = await asyncpg.connect(url)
    try:
        await connection.executemany(
            "INSERT INTO workout (id, user_id, name, status, started_at, finished_at, routine_id,"
            " version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
            workouts,
        )
        await connection.executemany(
            "INSERT INTO exercise_execution (workout_id, exercise_id, position, created_at,"
            " updated_at) VALUES ($1, $2, $3, $4, $4)",
            executions,
        )
        await connection.executemany(
            "INSERT INTO workout_set (id, workout_id, exercise_id, position, set_type, weight_kg,"
            " reps, completed, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8, $8)",
            sets,
        )
    finally:
        await connection.close()
    return len(workouts)


def measure(
    base: str, token: str, routine_id: str, exercise_ids: list[str], requests: int
) -> dict[str, list[float]]:
    """Latencies of starting the routine and, interleaved so that the machine's load hits all
    alike, of two routes to compare with: the cheapest authenticated read and creating a
    workout with the same 6 x 4 tree. Each new workout is deleted again."""
    headers = {"Authorization": f"Bearer {token}"}
    timings: dict[str, list[float]] = {START: [], "GET /users/me": [], "POST /workouts (6 x 4)": []}
    calls = {
        START: ("POST", f"/api/v1/routines/{routine_id}/start", None),
        "GET /users/me": ("GET", "/api/v1/users/me", None),
        "POST /workouts (6 x 4)": ("POST", "/api/v1/workouts", workout_body(exercise_ids)),
    }
    with httpx.Client(base_url=base, headers=headers) as client:
        for _ in range(requests):
            for name, (method, path, body) in calls.items():
                began = time.perf_counter()
                response = client.request(method, path, json=body)
                timings[name].append((time.perf_counter() - began) * 1000)
                response.raise_for_status()
                if method == "POST":
                    client.delete(f"/api/v1/workouts/{response.json()['id']}").raise_for_status()
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    with throwaway_database("ironlog_bench_routines") as url:
        env = server_env(url)
        with server("ironlog.main:create_app", PORT, env, factory=True) as base:
            with httpx.Client(base_url=base) as client:
                token, user_id = register(client, "routines@example.com")
                headers = {"Authorization": f"Bearer {token}"}
                exercise_ids = system_exercise_ids(url, 6)
                created = client.post(
                    "/api/v1/routines", json=routine_body(exercise_ids), headers=headers
                )
                created.raise_for_status()
                routine_id = created.json()["id"]
            count = asyncio.run(seed_history(url, user_id, routine_id, exercise_ids))
            analyze(url)
            measure(base, token, routine_id, exercise_ids, 30)  # warm-up
            timings = measure(base, token, routine_id, exercise_ids, args.requests)
    print(f"history: {count} finished workouts over {YEARS} years, 6 x 4 sets each")
    print(f"1 client, {args.requests} requests each, interleaved (target: start p50 < 15 ms):")
    for name, values in timings.items():
        ordered = sorted(values)
        p50 = statistics.median(ordered)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"  {name:<26} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")


if __name__ == "__main__":
    main()
