"""Workout read and write paths against a raw-driver floor, on PostgreSQL.

    uv run python -m bench.workouts [--seconds 10] [--connections 8]

Starts IronLog and `bench/raw_floor.py` (the same endpoints on bare asyncpg) one after the other
on a throwaway database, drives each with wrk, and prints requests/s, latency and the ratio
IronLog / floor. The targets (issue 4) are ratios >= 0.5 for GET one workout (6 exercises x 4
sets), the list of 20 such workouts, and creating one with its 6 x 4 tree.
"""

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

import asyncpg
import httpx

from bench.common import LoadResult, server, server_env, throwaway_database, wrk

IRONLOG_PORT, FLOOR_PORT = 8201, 8202


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


def seed(base: str, url: str) -> tuple[str, str, dict[str, object]]:
    """A user with 40 workouts of 6 exercises x 4 sets; returns token, a workout id, a body."""
    exercise_ids = system_exercise_ids(url, 6)
    with httpx.Client(base_url=base, timeout=30) as client:
        tokens = client.post(
            "/api/v1/auth/register",
            json={"email": "bench@example.com", "password": "bench password", "name": "Bench"},
        ).json()["tokens"]
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        body: dict[str, object] = {
            "name": "Bench day",
            "exercises": [
                {
                    "exercise_id": exercise_id,
                    "sets": [
                        {"weight_kg": 60 + 2.5 * n, "reps": 8 - n, "rpe": 8} for n in range(4)
                    ],
                }
                for exercise_id in exercise_ids
            ],
        }
        workout_id = ""
        for _ in range(40):
            response = client.post("/api/v1/workouts", json=body, headers=headers)
            response.raise_for_status()
            workout_id = response.json()["id"]
    return tokens["access_token"], workout_id, body


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


def run(seconds: int, connections: int) -> dict[str, tuple[LoadResult, LoadResult]]:
    with throwaway_database("ironlog_bench_workouts") as url, tempfile.TemporaryDirectory() as tmp:
        env = server_env(url)
        results: dict[str, dict[str, LoadResult]] = {"ironlog": {}, "floor": {}}
        targets = {
            "ironlog": ("ironlog.main:create_app", IRONLOG_PORT, True),
            "floor": ("bench.raw_floor:app", FLOOR_PORT, False),
        }
        with server(*targets["ironlog"][:2], env, factory=True) as base:
            token, workout_id, body = seed(base, url)
        get_script = lua(Path(tmp) / "get.lua", token)
        post_script = lua(Path(tmp) / "post.lua", token, body)
        # Reads for both first, then writes, so both read the same data.
        for phase in ("read", "write"):
            for name, (app, port, factory) in targets.items():
                with server(app, port, env, factory=factory) as base:
                    if phase == "read":
                        for label, path in (
                            ("get one", f"/api/v1/workouts/{workout_id}"),
                            ("list 20", "/api/v1/workouts"),
                        ):
                            wrk(base + path, seconds=2, connections=connections, script=get_script)
                            results[name][label] = wrk(
                                base + path,
                                seconds=seconds,
                                connections=connections,
                                script=get_script,
                            )
                    else:
                        results[name]["create 6x4"] = wrk(
                            base + "/api/v1/workouts",
                            seconds=seconds,
                            connections=connections,
                            script=post_script,
                        )
    return {
        label: (results["ironlog"][label], results["floor"][label]) for label in results["floor"]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    results = run(args.seconds, args.connections)
    print(
        f"{'endpoint':<12} {'ironlog req/s':>14} {'floor req/s':>12} {'ratio':>6} "
        f"{'ironlog p50/p99 ms':>19} {'floor p50/p99 ms':>17}"
    )
    for label, (ironlog, floor) in results.items():
        print(
            f"{label:<12} {ironlog.requests_per_second:>14.0f} {floor.requests_per_second:>12.0f} "
            f"{ironlog.requests_per_second / floor.requests_per_second:>6.2f} "
            f"{ironlog.p50_ms:>9.2f}/{ironlog.p99_ms:<9.2f} "
            f"{floor.p50_ms:>8.2f}/{floor.p99_ms:<8.2f}"
        )


if __name__ == "__main__":
    main()
