"""Starting a workout from a routine (targets, progression), saving a workout as a routine."""

import uuid
from typing import Any

import anyio
import anyio.from_thread
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import Workout
from ironlog.workouts.schemas import WorkoutRead
from tests.conftest import QueryCounter, UserHandle
from tests.routines.conftest import ROUTINES, create_routine, get_routine, routine_tree

WORKOUTS = "/api/v1/workouts"


async def start(
    client: httpx.AsyncClient, user: UserHandle, routine_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"{ROUTINES}/{routine_id}/start", json=body or None, headers=user.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def finish_with(
    client: httpx.AsyncClient,
    user: UserHandle,
    workout: dict[str, Any],
    done: dict[str, list[tuple[float | None, int, bool]]],
) -> None:
    """Record what was done (weight, reps, completed per set of each exercise) and finish."""
    exercises = [
        {
            "exercise_id": execution["exercise_id"],
            "superset": execution["superset"],
            "sets": [
                {
                    "set_type": original["set_type"],
                    "weight_kg": weight,
                    "reps": reps,
                    "completed": completed,
                }
                for original, (weight, reps, completed) in zip(
                    execution["sets"], done[execution["exercise_id"]], strict=True
                )
            ],
        }
        for execution in workout["exercises"]
        if execution["exercise_id"] in done
    ]
    path = f"{WORKOUTS}/{workout['id']}"
    replaced = await client.put(
        path, json={"name": workout["name"], "exercises": exercises}, headers=user.headers
    )
    assert replaced.status_code == 200, replaced.text
    finished = await client.post(f"{path}/finish", headers=user.headers)
    assert finished.status_code == 200, finished.text


def plan(exercise_id: uuid.UUID, increment: float | None = 2.5) -> dict[str, Any]:
    """A warm-up and two working sets: one with a rep range, one with target reps."""
    return {
        "exercise_id": str(exercise_id),
        "rest_seconds": 90,
        "notes": "Brace",
        "progression": None if increment is None else {"increment_kg": increment},
        "sets": [
            {"set_type": "warmup", "weight_kg": 40, "reps": 10},
            {"weight_kg": 100, "rep_range": {"min": 5, "max": 8}, "rpe": 8},
            {"weight_kg": 100, "reps": 5},
        ],
    }


def weights(workout: dict[str, Any], index: int = 0) -> list[float | None]:
    return [item["weight_kg"] for item in workout["exercises"][index]["sets"]]


async def test_start_fills_in_the_targets(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    routine = await create_routine(
        client,
        user,
        name="Push A",
        exercises=[
            {**plan(exercise_ids[0]), "superset": 1},
            {**plan(exercise_ids[1]), "superset": 1},
        ],
    )
    response = await client.post(f"{ROUTINES}/{routine['id']}/start", headers=user.headers)
    assert response.status_code == 201, response.text
    workout = response.json()
    WorkoutRead.model_validate(workout)
    assert response.headers["location"] == f"/api/v1/workouts/{workout['id']}"
    assert response.headers["etag"] == f'"{uuid.UUID(workout["id"]).hex}.1"'
    assert (workout["name"], workout["status"]) == ("Push A", "in_progress")
    assert workout["routine_id"] == routine["id"]
    first = workout["exercises"][0]
    assert (first["exercise_id"], first["notes"], first["superset"]) == (
        str(exercise_ids[0]),
        "Brace",
        1,
    )
    assert [
        (s["set_type"], s["weight_kg"], s["reps"], s["rpe"], s["rest_seconds"], s["completed"])
        for s in first["sets"]
    ] == [
        ("warmup", 40.0, 10, None, 90, False),
        ("normal", 100.0, 8, 8.0, 90, False),
        ("normal", 100.0, 5, None, 90, False),
    ]
    stored = (await client.get(f"{WORKOUTS}/{workout['id']}", headers=user.headers)).json()
    assert stored == workout
    assert await db.scalar(select(func.count()).select_from(Workout)) == 1


async def test_start_with_a_chosen_id_and_start(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    routine = await create_routine(client, user, exercises=[plan(exercise_ids[0])])
    chosen = str(uuid.uuid4())
    workout = await start(
        client, user, routine["id"], id=chosen, started_at="2026-11-20T18:30:00+01:00"
    )
    assert (workout["id"], workout["started_at"]) == (chosen, "2026-11-20T17:30:00Z")
    again = await client.post(
        f"{ROUTINES}/{routine['id']}/start", json={"id": chosen}, headers=user.headers
    )
    assert again.status_code == 409
    assert again.json()["code"] == "workout_exists"


async def test_progression_raises_weights_when_every_working_set_reached_its_target(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    routine = await create_routine(client, user, exercises=[plan(exercise_ids[0], 2.5)])
    first = await start(client, user, routine["id"])
    # The warm-up's reps do not matter; working sets reach 8 (top of 5..8) and 5 (target).
    done = {str(exercise_ids[0]): [(42.5, 3, True), (100.0, 8, True), (97.5, 6, True)]}
    await finish_with(client, user, first, done)
    second = await start(client, user, routine["id"])
    # Last time's weights, working sets raised by 2.5; the warm-up keeps last time's weight.
    assert weights(second) == [42.5, 102.5, 100.0]
    assert [s["reps"] for s in second["exercises"][0]["sets"]] == [10, 8, 5]


async def test_progression_keeps_last_times_weights_when_a_target_was_missed(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    routine = await create_routine(client, user, exercises=[plan(exercise_ids[0], 2.5)])
    first = await start(client, user, routine["id"])
    done = {str(exercise_ids[0]): [(40.0, 10, True), (102.5, 7, True), (102.5, 5, True)]}
    await finish_with(client, user, first, done)
    second = await start(client, user, routine["id"])
    assert weights(second) == [40.0, 102.5, 102.5]


async def test_a_set_not_completed_last_time_is_not_reached(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    routine = await create_routine(client, user, exercises=[plan(exercise_ids[0], 5)])
    first = await start(client, user, routine["id"])
    done = {str(exercise_ids[0]): [(40.0, 10, True), (100.0, 8, True), (100.0, 5, False)]}
    await finish_with(client, user, first, done)
    assert weights(await start(client, user, routine["id"])) == [40.0, 100.0, 100.0]


async def test_only_the_latest_finished_workout_counts(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    routine = await create_routine(client, user, exercises=[plan(exercise_ids[0], 1.25)])
    first = await start(client, user, routine["id"])
    done = {str(exercise_ids[0]): [(40.0, 10, True), (100.0, 8, True), (100.0, 5, True)]}
    await finish_with(client, user, first, done)
    # Started but never finished: it is not "the last time".
    await start(client, user, routine["id"])
    assert weights(await start(client, user, routine["id"])) == [40.0, 101.25, 101.25]


async def test_without_progression_or_history_the_routines_weights_are_used(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    routine = await create_routine(
        client, user, exercises=[plan(exercise_ids[0], None), plan(exercise_ids[1], 2.5)]
    )
    first = await start(client, user, routine["id"])
    # Only the first exercise was done last time; the second was dropped from the workout.
    done = {str(exercise_ids[0]): [(50.0, 10, True), (110.0, 8, True), (110.0, 5, True)]}
    await finish_with(client, user, first, done)
    second = await start(client, user, routine["id"])
    assert weights(second, 0) == [40.0, 100.0, 100.0]  # no progression: as written
    assert weights(second, 1) == [40.0, 100.0, 100.0]  # not done last time: as written


async def test_deleting_the_routine_keeps_its_workouts_without_the_link(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    routine = await create_routine(client, user, exercises=[plan(exercise_ids[0])])
    workout = await start(client, user, routine["id"])
    path = f"{WORKOUTS}/{workout['id']}"
    etag = (await client.get(path, headers=user.headers)).headers["etag"]
    await client.delete(f"{ROUTINES}/{routine['id']}", headers=user.headers)
    after = await client.get(path, headers=user.headers)
    assert after.status_code == 200
    assert after.json()["routine_id"] is None
    assert after.json()["exercises"] == workout["exercises"]
    assert after.headers["etag"] != etag


async def test_start_honours_the_idempotency_key(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    routine = await create_routine(client, user, exercises=[plan(exercise_ids[0])])
    headers = {**user.headers, "Idempotency-Key": "start-1"}
    path = f"{ROUTINES}/{routine['id']}/start"
    first = await client.post(path, headers=headers)
    again = await client.post(path, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await db.scalar(select(func.count()).select_from(Workout)) == 1


async def test_starting_costs_the_same_queries_whatever_the_size_and_history(
    backend: str,
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    queries: QueryCounter,
) -> None:
    small = await create_routine(client, user, exercises=routine_tree(exercise_ids[:1], 1))
    large_tree = routine_tree(exercise_ids[:6], 4)
    for exercise in large_tree:
        exercise["progression"] = {"increment_kg": 2.5}
    large = await create_routine(client, user, exercises=large_tree)
    for _ in range(3):  # some history for the large one
        workout = await start(client, user, large["id"])
        done = {
            execution["exercise_id"]: [(60.0, 8, True)] * 4 for execution in workout["exercises"]
        }
        await finish_with(client, user, workout, done)
    counts = []
    for routine in (small, large):
        queries.reset()
        await start(client, user, routine["id"])
        counts.append(queries.count)
    # Session check, routine tree, last time's sets, then the change number (the sync feed) and
    # the inserts: one statement on PostgreSQL, the number and one statement per table on
    # SQLite (no statistics' summary: the new workout's sets are not done yet).
    assert counts == ([4, 4] if backend == "postgresql" else [7, 7])


async def test_save_as_routine_copies_the_workouts_structure(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    body = {
        "name": "Friday",
        "exercises": [
            {
                "exercise_id": str(exercise_ids[0]),
                "notes": "Wide grip",
                "superset": 2,
                "sets": [
                    {"set_type": "warmup", "weight_kg": 20, "reps": 12, "rest_seconds": 60},
                    {"weight_kg": 80.5, "reps": 6, "rpe": 9, "rest_seconds": 180},
                ],
            },
            {
                "exercise_id": str(exercise_ids[1]),
                "superset": 2,
                "sets": [{"duration_seconds": 45, "completed": False}],
            },
        ],
    }
    workout = (await client.post(WORKOUTS, json=body, headers=user.headers)).json()
    response = await client.post(
        f"{WORKOUTS}/{workout['id']}/save-as-routine",
        json={"name": "Friday template"},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    routine = response.json()
    assert response.headers["location"] == f"/api/v1/routines/{routine['id']}"
    assert (routine["name"], routine["folder_id"], routine["position"]) == (
        "Friday template",
        None,
        0,
    )
    first, second = routine["exercises"]
    assert (first["notes"], first["rest_seconds"], first["superset"], first["progression"]) == (
        "Wide grip",
        180,
        2,
        None,
    )
    assert [(s["set_type"], s["weight_kg"], s["reps"], s["rpe"]) for s in first["sets"]] == [
        ("warmup", 20.0, 12, None),
        ("normal", 80.5, 6, 9.0),
    ]
    assert second["sets"][0]["duration_seconds"] == 45
    assert second["rest_seconds"] is None
    assert (await get_routine(client, user, routine["id"])).json() == routine


async def test_save_as_routine_of_another_users_workout_is_404(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    workout = (await client.post(WORKOUTS, json={"name": "Mine"}, headers=user.headers)).json()
    path = f"{WORKOUTS}/{workout['id']}/save-as-routine"
    response = await client.post(path, json={"name": "Stolen"}, headers=other_user.headers)
    assert response.status_code == 404
    bad_folder = await client.post(
        path, json={"name": "X", "folder_id": str(uuid.uuid4())}, headers=user.headers
    )
    assert bad_folder.status_code == 422
    assert bad_folder.json()["code"] == "unknown_folder"
    assert (await client.get(ROUTINES, headers=user.headers)).json()["total"] == 0


@pytest.mark.parametrize("body", [{"name": ""}, {"bogus": 1}, None], ids=str)
async def test_save_as_routine_checks_ownership_before_the_body(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, body: Any
) -> None:
    workout = (await client.post(WORKOUTS, json={"name": "Mine"}, headers=user.headers)).json()
    path = f"{WORKOUTS}/{workout['id']}/save-as-routine"
    response = await client.post(path, json=body, headers=other_user.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Property: a routine started and saved back has the same structure.

set_strategy = st.fixed_dictionaries(
    {
        "set_type": st.sampled_from(["warmup", "normal", "failure", "drop"]),
        "weight_kg": st.one_of(st.none(), st.integers(0, 400_000).map(lambda g: g / 1000)),
        "reps": st.one_of(st.none(), st.integers(0, 30)),
        "rep_range": st.one_of(
            st.none(),
            st.tuples(st.integers(1, 15), st.integers(0, 10)).map(
                lambda pair: {"min": pair[0], "max": pair[0] + pair[1]}
            ),
        ),
        "duration_seconds": st.one_of(st.none(), st.integers(1, 600)),
    }
).filter(
    lambda item: any(item[key] is not None for key in ("reps", "rep_range", "duration_seconds"))
)


@st.composite
def routines(draw: st.DrawFn, pool_size: int) -> list[dict[str, Any]]:
    count = draw(st.integers(0, pool_size))
    chosen = draw(st.permutations(range(pool_size)))[:count]
    exercises = [
        {
            "index": index,
            "rest_seconds": draw(st.one_of(st.none(), st.integers(0, 300))),
            "sets": draw(st.lists(set_strategy, max_size=4)),
            "superset": None,
        }
        for index in chosen
    ]
    # Supersets: runs of two or more adjacent exercises.
    position, number = 0, 0
    while position < len(exercises) - 1:
        if draw(st.booleans()):
            size = draw(st.integers(2, len(exercises) - position))
            for exercise in exercises[position : position + size]:
                exercise["superset"] = number
            number += 1
            position += size
        else:
            position += 1
    return exercises


def structure(routine: dict[str, Any]) -> list[Any]:
    """What a round trip keeps: order, supersets, rest (when a set carries it) and each set's
    type, weight, target reps and time."""
    return [
        (
            exercise["exercise_id"],
            exercise["superset"],
            exercise["rest_seconds"] if exercise["sets"] else None,
            [
                (
                    item["set_type"],
                    item["weight_kg"],
                    item["reps"]
                    if item["reps"] is not None
                    else (item["rep_range"] or {}).get("max"),
                    item["duration_seconds"],
                )
                for item in exercise["sets"]
            ],
        )
        for exercise in routine["exercises"]
    ]


async def check_round_trip(
    client: httpx.AsyncClient, user: UserHandle, pool: list[str], drawn: list[dict[str, Any]]
) -> None:
    exercises = [
        {
            "exercise_id": pool[item["index"]],
            "rest_seconds": item["rest_seconds"],
            "superset": item["superset"],
            "sets": item["sets"],
        }
        for item in drawn
    ]
    routine = await create_routine(client, user, exercises=exercises)
    workout = await start(client, user, routine["id"])
    saved = await client.post(
        f"{WORKOUTS}/{workout['id']}/save-as-routine", json={"name": "Back"}, headers=user.headers
    )
    assert saved.status_code == 201, saved.text
    assert structure(saved.json()) == structure(routine)


async def test_started_and_saved_back_routines_keep_their_structure(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    pool = [str(exercise_id) for exercise_id in exercise_ids]

    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    )
    @given(drawn=routines(len(pool)))
    def property_holds(drawn: list[dict[str, Any]]) -> None:
        anyio.from_thread.run(check_round_trip, client, user, pool, drawn)

    await anyio.to_thread.run_sync(property_holds)


@pytest.mark.parametrize("body", [{"bogus": 1}, {"started_at": "2026-11-20T18:30:00"}], ids=str)
async def test_bad_start_body_is_422_and_starts_nothing(
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    db: AsyncSession,
    body: dict[str, Any],
) -> None:
    routine = await create_routine(client, user, exercises=[plan(exercise_ids[0])])
    response = await client.post(
        f"{ROUTINES}/{routine['id']}/start", json=body, headers=user.headers
    )
    assert response.status_code == 422
    assert await db.scalar(select(func.count()).select_from(Workout)) == 0
