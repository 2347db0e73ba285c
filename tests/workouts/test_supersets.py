"""Supersets in workouts: numbers on executions, the adjacency rule, and routine_id."""

import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import UserHandle
from tests.workouts.conftest import WORKOUTS, a_set, create_workout


def execution(exercise_id: uuid.UUID, superset: int | None = None) -> dict[str, Any]:
    return {"exercise_id": str(exercise_id), "superset": superset, "sets": [a_set()]}


async def test_supersets_are_stored_and_served(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(
        client,
        user,
        exercises=[
            execution(exercise_ids[0], 4),
            execution(exercise_ids[1], 4),
            execution(exercise_ids[2]),
        ],
    )
    assert [e["superset"] for e in workout["exercises"]] == [4, 4, None]
    assert workout["routine_id"] is None
    read = (await client.get(f"{WORKOUTS}/{workout['id']}", headers=user.headers)).json()
    assert read == workout
    listed = (await client.get(WORKOUTS, headers=user.headers)).json()
    assert [e["superset"] for e in listed["items"][0]["exercises"]] == [4, 4, None]


@pytest.mark.parametrize(
    "numbers",
    [[1, None], [1, None, 1], [1, 2, 1], [1, 1, 2]],
    ids=["lone", "not adjacent", "interleaved", "lone second number"],
)
async def test_a_tree_breaking_the_superset_rule_is_422(
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    numbers: list[int | None],
) -> None:
    exercises = [execution(exercise_ids[i], n) for i, n in enumerate(numbers)]
    created = await client.post(
        WORKOUTS, json={"name": "X", "exercises": exercises}, headers=user.headers
    )
    assert created.status_code == 422
    assert created.json()["code"] == "invalid_superset"
    workout = await create_workout(client, user)
    replaced = await client.put(
        f"{WORKOUTS}/{workout['id']}",
        json={"name": "X", "exercises": exercises},
        headers=user.headers,
    )
    assert replaced.status_code == 422
    assert replaced.json()["code"] == "invalid_superset"
    assert (await client.get(WORKOUTS, headers=user.headers)).json()["total"] == 1


async def test_a_superset_is_built_one_execution_at_a_time(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    workout = await create_workout(client, user, exercises=[execution(exercise_ids[0])])
    base = f"{WORKOUTS}/{workout['id']}/exercises"
    patched = await client.patch(
        f"{base}/{exercise_ids[0]}", json={"superset": 1}, headers=user.headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["superset"] == 1
    added = await client.post(
        base, json={"exercise_id": str(exercise_ids[1]), "superset": 1}, headers=user.headers
    )
    assert added.status_code == 201, added.text
    assert added.json()["superset"] == 1
    # A third exercise between them would split superset 1.
    await client.post(base, json={"exercise_id": str(exercise_ids[2])}, headers=user.headers)
    split = [str(exercise_ids[0]), str(exercise_ids[2]), str(exercise_ids[1])]
    refused = await client.put(f"{base}/order", json={"exercise_ids": split}, headers=user.headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_superset"
    joined = await client.post(
        base, json={"exercise_id": str(exercise_ids[3]), "superset": 1}, headers=user.headers
    )
    assert joined.status_code == 422
    cleared = await client.patch(
        f"{base}/{exercise_ids[1]}", json={"superset": None}, headers=user.headers
    )
    assert cleared.json()["superset"] is None
    read = (await client.get(f"{WORKOUTS}/{workout['id']}", headers=user.headers)).json()
    assert [e["superset"] for e in read["exercises"]] == [1, None, None]
