"""The statistics' summaries stay exactly what a recomputation from scratch gives, after random
writes through the API (every write path that touches sets), on both databases; and statistics
and records over the whole history (read from `exercise_summary`) equal the same over a period
that holds everything (aggregated from `execution_summary`)."""

import asyncio
import importlib.util
import random
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

import ironlog
from ironlog.changes import summaries
from ironlog.models import ExecutionSummary, ExerciseSummary, Workout
from tests.conftest import UserHandle, register_user
from tests.stats.history import History

WORKOUTS = "/api/v1/workouts"
VERSIONS = Path(ironlog.__file__).parent / "migrations" / "versions"
WEIGHTS = [None, 0, 20, 20.005, 60, 100.01, 102.058]
REPS = [None, 0, 1, 5, 12, 13]
START = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
EVERYTHING = {"from": "0001-01-01", "to": "9999-12-31"}


def random_set(rng: random.Random) -> dict[str, Any]:
    item: dict[str, Any] = {
        "weight_kg": rng.choice(WEIGHTS),
        "reps": rng.choice(REPS),
        "set_type": rng.choice(["normal", "normal", "warmup", "failure"]),
        "completed": rng.random() > 0.15,
    }
    if item["reps"] is None or rng.random() < 0.1:
        item["duration_seconds"] = rng.choice([0, 30, 45])
    if rng.random() < 0.1:
        item["distance_m"] = rng.choice([0, 5.5, 1000])
    return item


async def snapshot(db: AsyncSession, user_id: uuid.UUID) -> tuple[list[Any], list[Any]]:
    executions = await db.execute(
        select(ExecutionSummary).where(ExecutionSummary.user_id == user_id)
    )
    exercises = await db.execute(select(ExerciseSummary).where(ExerciseSummary.user_id == user_id))

    def plain(rows: Any) -> list[Any]:
        return sorted(
            (tuple(sorted(vars(row).items(), key=lambda kv: kv[0]))[1:] for row in rows),
            key=repr,
        )

    return plain(executions.scalars()), plain(exercises.scalars())


async def recomputed(db: AsyncSession, user_id: uuid.UUID) -> tuple[list[Any], list[Any]]:
    """The summaries rebuilt from nothing: every row dropped, every workout refreshed."""
    await db.execute(delete(ExecutionSummary).where(ExecutionSummary.user_id == user_id))
    await db.execute(delete(ExerciseSummary).where(ExerciseSummary.user_id == user_id))
    ids = list(await db.scalars(select(Workout.id).where(Workout.user_id == user_id)))
    await summaries.refresh(db, ids)
    db.expunge_all()
    return await snapshot(db, user_id)


class Writer:
    def __init__(self, client: httpx.AsyncClient, user: UserHandle, rng: random.Random) -> None:
        self.client, self.user, self.rng = client, user, rng
        self.workouts: list[str] = []

    async def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self.client.request(method, path, headers=self.user.headers, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else {}

    async def tree(self, workout_id: str) -> dict[str, Any]:
        return await self.call("GET", f"{WORKOUTS}/{workout_id}")

    async def step(self, exercises: list[uuid.UUID]) -> str:  # noqa: PLR0912
        rng = self.rng
        action = rng.choice(
            ["create", "create", "add_set", "patch_set", "delete_set", "add_exercise",
             "delete_exercise", "replace", "move", "finish_reopen", "delete"]
        )  # fmt: skip
        if action == "create" or not self.workouts:
            chosen = rng.sample(exercises, rng.randint(1, len(exercises)))
            body = {
                "name": "W",
                "started_at": (START + timedelta(days=rng.randint(0, 60))).isoformat(),
                "exercises": [
                    {"exercise_id": str(e), "sets": [random_set(rng) for _ in range(3)]}
                    for e in chosen
                ],
            }
            self.workouts.append((await self.call("POST", WORKOUTS, json=body))["id"])
            return "create"
        workout_id = rng.choice(self.workouts)
        tree = await self.tree(workout_id)
        if tree["status"] == "finished" and action != "delete":
            await self.call("POST", f"{WORKOUTS}/{workout_id}/reopen")
            tree = await self.tree(workout_id)
        executions = tree["exercises"]
        base = f"{WORKOUTS}/{workout_id}/exercises"
        if action == "delete":
            await self.call("DELETE", f"{WORKOUTS}/{workout_id}")
            self.workouts.remove(workout_id)
        elif action == "move":
            started = START + timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 5))
            await self.call(
                "PATCH", f"{WORKOUTS}/{workout_id}", json={"started_at": started.isoformat()}
            )
        elif action == "finish_reopen":
            await self.call("POST", f"{WORKOUTS}/{workout_id}/finish")
        elif action == "replace":
            chosen = rng.sample(exercises, rng.randint(0, len(exercises)))
            body = {
                "name": "R",
                "started_at": tree["started_at"],
                "exercises": [
                    {"exercise_id": str(e), "sets": [random_set(rng) for _ in range(2)]}
                    for e in chosen
                ],
            }
            await self.call("PUT", f"{WORKOUTS}/{workout_id}", json=body)
        elif action == "add_exercise":
            free = [e for e in exercises if str(e) not in {x["exercise"]["id"] for x in executions}]
            if not free:
                return "skip"
            body = {"exercise_id": str(free[0]), "sets": [random_set(rng) for _ in range(2)]}
            await self.call("POST", base, json=body)
        elif not executions:
            return "skip"
        else:
            execution = rng.choice(executions)
            path = f"{base}/{execution['exercise']['id']}"
            if action == "delete_exercise":
                await self.call("DELETE", path)
            elif action == "add_set":
                await self.call("POST", f"{path}/sets", json=random_set(rng))
            elif not execution["sets"]:
                return "skip"
            else:
                set_id = rng.choice(execution["sets"])["id"]
                if action == "delete_set":
                    await self.call("DELETE", f"{path}/sets/{set_id}")
                else:
                    changes = random_set(rng)
                    changes.pop("duration_seconds", None)
                    if changes["reps"] is None:
                        changes.pop("reps")
                    await self.call("PATCH", f"{path}/sets/{set_id}", json=changes)
        return action


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_summaries_equal_a_recomputation_after_random_writes(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, seed: int
) -> None:
    history = History(db, user.id)
    exercises = [await history.exercise(name) for name in ("Alpha Row", "beta press", "Gamma")]
    await db.commit()
    writer = Writer(client, user, random.Random(seed))  # noqa: S311
    done: list[str] = []
    summarised = 0
    for step in range(1, 61):
        done.append(await writer.step(exercises))
        if step % 15:
            continue
        kept = await snapshot(db, user.id)
        summarised = max(summarised, len(kept[1]))
        for route in ("stats", "records"):
            path = f"/api/v1/users/me/{route}"
            whole = (await client.get(path, headers=user.headers)).json()
            period = (await client.get(path, params=EVERYTHING, headers=user.headers)).json()
            if route == "stats":
                for body in (whole, period):
                    for key in ("from", "to", "weekly", "current_streak_weeks"):
                        body.pop(key)
            assert whole == period, (route, done)
        assert kept == await recomputed(db, user.id), done
        await db.rollback()
    assert summarised > 0
    assert {"create", "add_set", "patch_set", "delete_set", "delete"} <= set(done)


async def create_ties(
    client: httpx.AsyncClient, user: UserHandle, exercise_id: uuid.UUID, ids: list[uuid.UUID]
) -> None:
    """Four workouts of one exercise, the heaviest weight first reached by `ids` (in that
    order of creation) at the same start."""
    bodies = [
        (START + timedelta(days=2), [(80, 5)]),
        (START, [(100, 3), (100, 4)]),  # the record, ties with the next at the same start
        (START, [(100, 6), (90, 8)]),
        (START + timedelta(days=1), [(60, 12)]),
    ]
    workout_ids = [uuid.uuid4(), ids[0], ids[1], uuid.uuid4()]
    for workout_id, (started_at, sets) in zip(workout_ids, bodies, strict=True):
        body = {
            "id": str(workout_id),
            "name": "W",
            "started_at": started_at.isoformat(),
            "exercises": [
                {
                    "exercise_id": str(exercise_id),
                    "sets": [{"weight_kg": weight, "reps": reps} for weight, reps in sets],
                }
            ],
        }
        response = await client.post(WORKOUTS, json=body, headers=user.headers)
        assert response.status_code == 201, response.text


@pytest.mark.parametrize("smaller_id_first", [True, False])
async def test_created_workouts_merge_into_the_summary_as_a_recomputation_does(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, smaller_id_first: bool
) -> None:
    """A create merges its rows into the stored `exercise_summary` row: records, their dates
    and the reps at the heaviest weight come out as a rebuild gives them, also when two
    workouts start at the same instant with the same top weight (the smaller workout id holds
    it, whichever was created first)."""
    history = History(db, user.id)
    bench = await history.exercise("Alpha Row")
    await db.commit()
    ids = sorted(uuid.uuid4() for _ in range(2))
    if not smaller_id_first:
        ids.reverse()
    await create_ties(client, user, bench, ids)
    kept = await snapshot(db, user.id)
    [stored] = (
        await db.scalars(select(ExerciseSummary).where(ExerciseSummary.user_id == user.id))
    ).all()
    assert (stored.weight_grams, stored.weight_at) == (100_000, START)
    assert (stored.weight_reps, stored.weight_workout_id) == (
        (3, ids[0]) if ids[0] < ids[1] else (6, ids[1])
    )
    assert kept == await recomputed(db, user.id)


async def test_the_migration_fills_the_weight_holder_as_a_rebuild_does(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    """Migration c4e8a2d61f90 gives the `exercise_summary` rows that existed before it the
    workout holding their heaviest weight, as a rebuild chooses it (a tie at one start too)."""
    history = History(db, user.id)
    bench = await history.exercise("Alpha Row")
    unweighted = await history.exercise("beta press")
    await db.commit()
    await create_ties(client, user, bench, sorted(uuid.uuid4() for _ in range(2))[::-1])
    body = {"name": "T", "exercises": [{"exercise_id": str(unweighted), "sets": [{"reps": 9}]}]}
    response = await client.post(WORKOUTS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    expected = await snapshot(db, user.id)
    await db.execute(update(ExerciseSummary).values(weight_workout_id=None))
    await db.execute(text(_migration("c4e8a2d61f90").FILL_HOLDERS))
    db.expunge_all()
    assert await snapshot(db, user.id) == expected
    [with_weight, without] = sorted(
        (await db.scalars(select(ExerciseSummary).where(ExerciseSummary.user_id == user.id))).all(),
        key=lambda row: row.weight_grams is None,
    )
    assert with_weight.weight_workout_id is not None
    assert without.weight_workout_id is None


def _migration(revision: str) -> ModuleType:
    [path] = VERSIONS.glob(f"*_{revision}.py")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_concurrent_creates_of_one_user_merge_as_a_recomputation_does(
    live_client: httpx.AsyncClient,
) -> None:
    """Creates of one user at once, on a database that commits: each merges into the stored
    rows as the previous one committed them (on PostgreSQL its statement waits for the user's
    lock), ties on the heaviest weight at one start included."""
    user = await register_user(live_client, email=f"live-{secrets.token_hex(6)}@example.com")
    listed = await live_client.get("/api/v1/exercises/system", params={"size": 2})
    exercise_ids = [item["id"] for item in listed.json()["items"]]
    rng = random.Random(7)  # noqa: S311

    def body(number: int) -> dict[str, Any]:
        return {
            "name": f"W{number}",
            "started_at": (START + timedelta(days=number % 3)).isoformat(),
            "exercises": [
                {
                    "exercise_id": exercise_id,
                    "sets": [
                        {"weight_kg": rng.choice([90, 100]), "reps": rng.randint(1, 12)}
                        for _ in range(3)
                    ],
                }
                for exercise_id in exercise_ids
            ],
        }

    responses = await asyncio.gather(
        *(live_client.post(WORKOUTS, json=body(n), headers=user.headers) for n in range(12))
    )
    assert [response.status_code for response in responses] == [201] * 12
    app = live_client._transport.app  # type: ignore[attr-defined]
    async with app.state.sessionmaker() as db:
        kept = await snapshot(db, user.id)
        assert len(kept[0]) == 24
        assert kept == await recomputed(db, user.id)
        await db.rollback()
