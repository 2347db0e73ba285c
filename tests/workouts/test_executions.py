"""Executions and sets inside a workout: add, change, remove, reorder; positions stay contiguous."""

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import ExerciseExecution, WorkoutSet
from ironlog.workouts.schemas import ExecutionRead, SetRead
from tests.conftest import UserHandle
from tests.workouts.conftest import WORKOUTS, a_set, create_workout, tree


async def stored_positions(db: AsyncSession, workout_id: str) -> list[tuple[str, int]]:
    statement = (
        select(ExerciseExecution.exercise_id, ExerciseExecution.position)
        .where(ExerciseExecution.workout_id == uuid.UUID(workout_id))
        .order_by(ExerciseExecution.position)
    )
    return [(str(row[0]), row[1]) for row in (await db.execute(statement)).all()]


async def get(client: httpx.AsyncClient, user: UserHandle, workout_id: str) -> dict[str, Any]:
    response = await client.get(f"{WORKOUTS}/{workout_id}", headers=user.headers)
    result: dict[str, Any] = response.json()
    return result


async def test_add_execution_appends_at_the_end(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:2]))
    response = await client.post(
        f"{WORKOUTS}/{workout['id']}/exercises",
        json={"exercise_id": str(exercise_ids[2]), "notes": "new", "sets": [a_set(), a_set()]},
        headers=user.headers,
    )
    assert response.status_code == 201
    body = response.json()
    ExecutionRead.model_validate(body)
    assert (body["position"], body["notes"]) == (2, "new")
    assert [s["position"] for s in body["sets"]] == [0, 1]
    read = await get(client, user, workout["id"])
    assert read["exercises"][2] == body


async def test_add_execution_twice_is_409(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:1]))
    response = await client.post(
        f"{WORKOUTS}/{workout['id']}/exercises",
        json={"exercise_id": str(exercise_ids[0])},
        headers=user.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "exercise_already_in_workout"


async def test_add_unknown_exercise_is_422(client: httpx.AsyncClient, user: UserHandle) -> None:
    workout = await create_workout(client, user)
    response = await client.post(
        f"{WORKOUTS}/{workout['id']}/exercises",
        json={"exercise_id": str(uuid.uuid4())},
        headers=user.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_exercise"


async def test_patch_execution_changes_notes_or_replaces_sets(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:1], sets_each=3))
    path = f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[0]}"
    notes = await client.patch(path, json={"notes": "Belt on"}, headers=user.headers)
    assert notes.status_code == 200
    assert notes.json()["notes"] == "Belt on"
    assert len(notes.json()["sets"]) == 3
    sets = await client.patch(
        path, json={"sets": [a_set(weight_kg=100.0, reps=3)]}, headers=user.headers
    )
    assert sets.status_code == 200
    body = sets.json()
    assert body["notes"] == "Belt on"
    assert [(s["position"], s["weight_kg"], s["reps"]) for s in body["sets"]] == [(0, 100.0, 3)]
    ExecutionRead.model_validate(body)


async def test_removing_an_execution_closes_up_positions(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:4]))
    response = await client.delete(
        f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[1]}", headers=user.headers
    )
    assert response.status_code == 204
    assert await stored_positions(db, workout["id"]) == [
        (str(exercise_ids[0]), 0),
        (str(exercise_ids[2]), 1),
        (str(exercise_ids[3]), 2),
    ]
    sets_left = await db.scalar(
        select(WorkoutSet.id).where(WorkoutSet.exercise_id == exercise_ids[1])
    )
    assert sets_left is None


async def test_missing_execution_is_404(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:1]))
    base = f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[3]}"
    for method, path, body in (
        ("PATCH", base, {"notes": "x"}),
        ("DELETE", base, None),
        ("POST", f"{base}/sets", a_set()),
    ):
        response = await client.request(method, path, json=body, headers=user.headers)
        assert response.status_code == 404, (method, path)


async def test_reorder_sets_every_position(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:3]))
    order = [str(exercise_ids[2]), str(exercise_ids[0]), str(exercise_ids[1])]
    response = await client.put(
        f"{WORKOUTS}/{workout['id']}/exercises/order",
        json={"exercise_ids": order},
        headers=user.headers,
    )
    assert response.status_code == 200
    assert [e["exercise_id"] for e in response.json()["exercises"]] == order
    assert await stored_positions(db, workout["id"]) == [(e, i) for i, e in enumerate(order)]


async def test_reorder_must_be_a_permutation(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:3]))
    first, second, third = (str(e) for e in exercise_ids[:3])
    for order in (
        [first, second],
        [first, second, third, str(exercise_ids[4])],
        [first, first, second],
        [first, second, str(exercise_ids[4])],
        [],
    ):
        response = await client.put(
            f"{WORKOUTS}/{workout['id']}/exercises/order",
            json={"exercise_ids": order},
            headers=user.headers,
        )
        assert response.status_code == 422, order
        assert response.json()["code"] == "invalid_order"
    assert await stored_positions(db, workout["id"]) == [(first, 0), (second, 1), (third, 2)]


async def test_add_set_appends(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:1], sets_each=2))
    response = await client.post(
        f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[0]}/sets",
        json={"weight_kg": 90.5, "reps": 3, "rpe": 9.5, "set_type": "failure"},
        headers=user.headers,
    )
    assert response.status_code == 201
    body = response.json()
    SetRead.model_validate(body)
    assert (body["position"], body["weight_kg"], body["rpe"], body["set_type"]) == (
        2,
        90.5,
        9.5,
        "failure",
    )
    read = await get(client, user, workout["id"])
    assert read["exercises"][0]["sets"][2] == body


async def test_add_set_to_empty_execution_starts_at_zero(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=[{"exercise_id": str(exercise_ids[0])}])
    response = await client.post(
        f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[0]}/sets",
        json=a_set(),
        headers=user.headers,
    )
    assert response.json()["position"] == 0


async def test_patch_set_changes_given_fields(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:1], sets_each=2))
    target = workout["exercises"][0]["sets"][1]
    path = f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[0]}/sets/{target['id']}"
    response = await client.patch(
        path, json={"weight_kg": 82.5, "completed": False}, headers=user.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert {**target, "weight_kg": 82.5, "completed": False} == body
    read = await get(client, user, workout["id"])
    assert read["exercises"][0]["sets"][1] == body


async def test_patch_set_cannot_remove_every_measure(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:1], sets_each=1))
    target = workout["exercises"][0]["sets"][0]
    path = f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[0]}/sets/{target['id']}"
    response = await client.patch(path, json={"reps": None}, headers=user.headers)
    assert response.status_code == 422
    null_type = await client.patch(path, json={"set_type": None}, headers=user.headers)
    assert null_type.status_code == 422
    read = await get(client, user, workout["id"])
    assert read["exercises"][0]["sets"][0] == target


async def test_removing_a_set_closes_up_positions(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:1], sets_each=4))
    sets = workout["exercises"][0]["sets"]
    response = await client.delete(
        f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[0]}/sets/{sets[1]['id']}",
        headers=user.headers,
    )
    assert response.status_code == 204
    read = await get(client, user, workout["id"])
    remaining = read["exercises"][0]["sets"]
    assert [(s["id"], s["position"]) for s in remaining] == [
        (sets[0]["id"], 0),
        (sets[2]["id"], 1),
        (sets[3]["id"], 2),
    ]


async def test_a_set_is_found_only_under_its_own_execution(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:2], sets_each=1))
    set_id = workout["exercises"][0]["sets"][0]["id"]
    wrong = f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[1]}/sets/{set_id}"
    assert (await client.patch(wrong, json={"reps": 1}, headers=user.headers)).status_code == 404
    assert (await client.delete(wrong, headers=user.headers)).status_code == 404
    unknown = f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[0]}/sets/{uuid.uuid4()}"
    assert (await client.delete(unknown, headers=user.headers)).status_code == 404
