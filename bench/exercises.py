"""Exercise search on PostgreSQL with 300,000 custom exercises in the table, server-side.

    uv run python -m bench.exercises [--users 5000] [--per-user 60] [--rounds 200]

A throwaway database (migrated, with the library and its aliases), filled through asyncpg with
`--users` users of `--per-user` custom exercises each (other users' rows the per-user filter
must skip by index), then ANALYZE. The searches run in this process through the app's engine
and `exercises.service.search`, one session per call like a request, so the figures are the
server's own work without HTTP. The floor is the same session reading one exercise by primary
key, measured in the same rounds: the report gives each search's p50 in ms and as a ratio of
the floor, so that the figures compare across machines. The target is a p50 under 5 ms.
"""

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
from sqlalchemy import select

from bench.common import server_env, throwaway_database
from bench.workouts import analyze
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.core.config import Settings
from ironlog.core.db import create_engine, create_sessionmaker
from ironlog.core.pagination import PageRequest
from ironlog.core.text import search_key
from ironlog.exercises import service
from ironlog.models import Exercise, Modality

WORDS = ["press", "row", "curl", "squat", "raise", "pull", "fly", "lunge", "hold", "carry"]
# (label, q, body_part, modality): what lifters type, a typo, and filters.
SEARCHES = [
    ("q=press", "press", None, None),
    ("q=chin", "chin", None, None),
    ("q=pull up", "pull up", None, None),
    ("q=ohp", "ohp", None, None),
    ("q=bnech press (typo)", "bnech press", None, None),
    ("q=row&body_part=back", "row", "back", None),
    ("modality=cable", None, None, Modality.CABLE),
]


async def seed(url: str, users: int, per_user: int) -> ClaimedPrincipal:
    """`users` users with `per_user` exercises each; returns one of them, signed in (a search
    checks the caller's session in its first statement)."""
    connection = await asyncpg.connect(url)
    now = datetime.now(UTC)
    try:
        user_ids = [uuid.uuid4() for _ in range(users)]
        await connection.copy_records_to_table(
            "app_user",
            columns=["id", "email", "name", "email_verified", "created_at", "updated_at"],
            records=[
                (user_id, f"bench-{user_id.hex}@example.com", "Bench", False, now, now)
                for user_id in user_ids
            ],
        )
        modalities = [modality.value for modality in Modality]
        records = []
        for user_id in user_ids:
            for number in range(per_user):
                name = f"Custom {WORDS[number % len(WORDS)]} {number} {user_id.hex[:6]}"
                records.append(
                    (
                        uuid.uuid4(),
                        user_id,
                        name,
                        name.casefold(),
                        search_key([name]),
                        ["chest", "back", "quads", "core"][number % 4],
                        modalities[number % len(modalities)],
                        now,
                        now,
                        0,
                    )
                )
        await connection.copy_records_to_table(
            "exercise",
            columns=[
                "id",
                "user_id",
                "name",
                "name_key",
                "search_key",
                "body_part",
                "modality",
                "created_at",
                "updated_at",
                "change_seq",
            ],
            records=records,
        )
        caller = ClaimedPrincipal(user_id=user_ids[users // 2], session_id=uuid.uuid4())
        await connection.execute(
            "INSERT INTO auth_session (id, user_id, created_at, updated_at)"
            " VALUES ($1, $2, $3, $3)",
            caller.session_id,
            caller.user_id,
            now,
        )
    finally:
        await connection.close()
    return caller


async def measure(url: str, caller: ClaimedPrincipal, rounds: int) -> dict[str, list[float]]:
    os.environ.update(server_env(url))
    engine = create_engine(Settings())
    sessions = create_sessionmaker(engine)
    timings: dict[str, list[float]] = {"floor: one exercise by id": []}
    try:
        async with sessions() as session:
            exercise_id = await session.scalar(select(Exercise.id).limit(1))

        async def floor() -> None:
            async with sessions() as session:
                await session.scalar(select(Exercise).where(Exercise.id == exercise_id))

        def searcher(
            q: str | None, body_part: str | None, modality: Modality | None
        ) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                async with sessions() as session:
                    await service.search(
                        session,
                        caller=caller,
                        q=q,
                        body_part=body_part,
                        modality=modality,
                        page=PageRequest(page=1, size=20),
                    )

            return run

        calls = [("floor: one exercise by id", floor)] + [
            (label, searcher(q, body_part, modality)) for label, q, body_part, modality in SEARCHES
        ]
        for label, _ in calls[1:]:
            timings[label] = []
        for _ in range(20):  # warm the pool, the caches and the plans
            for _, call in calls:
                await call()
        for _ in range(rounds):  # interleaved, so that noise hits every call alike
            for label, call in calls:
                started = time.perf_counter()
                await call()
                timings[label].append((time.perf_counter() - started) * 1000)
    finally:
        await engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--per-user", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args([] if __name__ != "__main__" else None)
    with throwaway_database("ironlog_bench_exercises") as url:
        caller = asyncio.run(seed(url, args.users, args.per_user))
        analyze(url)
        print(f"{args.users * args.per_user} custom exercises; {args.rounds} rounds", flush=True)
        timings = asyncio.run(measure(url, caller, args.rounds))
    floor = statistics.median(timings["floor: one exercise by id"])
    print(f"{'call':28} {'p50 ms':>8} {'p90 ms':>8} {'x floor':>8}")
    for label, values in timings.items():
        p50 = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{label:28} {p50:8.2f} {p90:8.2f} {p50 / floor:8.1f}")


if __name__ == "__main__":
    main()
