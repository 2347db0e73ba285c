"""Starting a workout from a routine, on PostgreSQL, one client.

    uv run python -m bench.routines [--requests 300]

A throwaway database; a routine of 6 exercises x 4 sets with progression on every exercise and
5 years of history (3 finished workouts a week started from it, each 6 x 4 sets, plus 2 other
workouts a week), written straight through asyncpg. Then `POST /routines/{id}/start` one request
at a time (each new workout is deleted again, so the history stays the same) and the latency
percentiles. The target is p50 < 15 ms. Two routes measured in the same run show how loaded the
machine was.
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


def reference(base: str, token: str, exercise_ids: list[str], requests: int) -> dict[str, float]:
    """Medians of two routes measured in the same conditions, to judge the machine's load: the
    cheapest authenticated read and creating a workout with the same 6 x 4 tree."""
    headers = {"Authorization": f"Bearer {token}"}
    timings: dict[str, list[float]] = {"GET /users/me": [], "POST /workouts (6 x 4)": []}
    with httpx.Client(base_url=base, headers=headers) as client:
        for _ in range(requests):
            began = time.perf_counter()
            client.get("/api/v1/users/me").raise_for_status()
            timings["GET /users/me"].append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            created = client.post("/api/v1/workouts", json=workout_body(exercise_ids))
            timings["POST /workouts (6 x 4)"].append((time.perf_counter() - began) * 1000)
            created.raise_for_status()
            client.delete(f"/api/v1/workouts/{created.json()['id']}").raise_for_status()
    return {name: statistics.median(values) for name, values in timings.items()}


def measure(base: str, token: str, routine_id: str, requests: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    timings: list[float] = []
    with httpx.Client(base_url=base, headers=headers) as client:
        for _ in range(requests):
            began = time.perf_counter()
            response = client.post(f"/api/v1/routines/{routine_id}/start")
            timings.append((time.perf_counter() - began) * 1000)
            response.raise_for_status()
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
                token = register(client, "routines@example.com")
                headers = {"Authorization": f"Bearer {token}"}
                user_id = client.get("/api/v1/users/me", headers=headers).json()["id"]
                exercise_ids = system_exercise_ids(url, 6)
                created = client.post(
                    "/api/v1/routines", json=routine_body(exercise_ids), headers=headers
                )
                created.raise_for_status()
                routine_id = created.json()["id"]
            count = asyncio.run(seed_history(url, user_id, routine_id, exercise_ids))
            analyze(url)
            measure(base, token, routine_id, 30)  # warm-up
            timings = sorted(measure(base, token, routine_id, args.requests))
            references = reference(base, token, exercise_ids, args.requests)
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"history: {count} finished workouts over {YEARS} years, 6 x 4 sets each")
    print(f"POST /routines/{{id}}/start, 1 client, {len(timings)} requests:")
    print(f"  p50 {p50:.2f} ms   p99 {p99:.2f} ms   (target p50 < 15 ms)")
    for name, median in references.items():
        print(f"  for reference, {name}: p50 {median:.2f} ms")


if __name__ == "__main__":
    main()
