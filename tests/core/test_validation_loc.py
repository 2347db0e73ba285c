"""A 422's `errors[].loc` points at the field the client sent: no union branch names
(`constrained-str`, `none`), no model-level `["body"]` for a field's rule."""

import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import UserHandle


async def _paths(client: httpx.AsyncClient, user: UserHandle) -> dict[str, str]:
    h = user.headers
    exercises = (await client.get("/api/v1/exercises", params={"q": "bench press"})).json()
    bench = exercises["items"][0]["id"]
    tree = [{"exercise_id": bench, "sets": [{"reps": 5}]}]
    workout = await client.post(
        "/api/v1/workouts", json={"name": "W", "exercises": tree}, headers=h
    )
    workout_id = workout.json()["id"]
    set_id = workout.json()["exercises"][0]["sets"][0]["id"]
    own = await client.post(
        "/api/v1/exercises",
        json={"name": "Mine", "body_part": "chest", "modality": "BARBELL"},
        headers=h,
    )
    routine = await client.post("/api/v1/routines", json={"name": "R"}, headers=h)
    execution = f"/api/v1/workouts/{workout_id}/exercises/{bench}"
    return {
        "workout": f"/api/v1/workouts/{workout_id}",
        "execution": execution,
        "set": f"{execution}/sets/{set_id}",
        "exercise": f"/api/v1/exercises/{own.json()['id']}",
        "routine": f"/api/v1/routines/{routine.json()['id']}",
        "user": "/api/v1/users/me",
        "preferences": "/api/v1/users/me/preferences",
    }


CASES: list[tuple[str, dict[str, Any], list[str | int], str]] = [
    ("workout", {"name": None}, ["body", "name"], "name cannot be null"),
    ("workout", {"name": 5}, ["body", "name"], "Input should be a valid string"),
    ("workout", {"started_at": None}, ["body", "started_at"], "started_at cannot be null"),
    ("workout", {"started_at": "noon"}, ["body", "started_at"], "date and time"),
    ("execution", {"superset": "1"}, ["body", "superset"], "Input should be a valid integer"),
    ("execution", {"sets": "x"}, ["body", "sets"], "Input should be a valid list"),
    ("execution", {"sets": [{"reps": "x"}]}, ["body", "sets", 0, "reps"], "valid integer"),
    ("set", {"set_type": None}, ["body", "set_type"], "set_type cannot be null"),
    ("set", {"completed": None}, ["body", "completed"], "completed cannot be null"),
    ("set", {"set_type": "heavy"}, ["body", "set_type"], "Input should be"),
    ("set", {"weight_kg": "80"}, ["body", "weight_kg"], "Input should be a valid number"),
    ("exercise", {"name": None}, ["body", "name"], "name cannot be null"),
    ("exercise", {"name": 5}, ["body", "name"], "Input should be a valid string"),
    ("exercise", {"modality": None}, ["body", "modality"], "modality cannot be null"),
    ("routine", {"name": None}, ["body", "name"], "name cannot be null"),
    ("routine", {"name": []}, ["body", "name"], "Input should be a valid string"),
    ("user", {"name": None}, ["body", "name"], "name cannot be null"),
    ("user", {"name": 5}, ["body", "name"], "Input should be a valid string"),
    ("preferences", {"timezone": None}, ["body", "timezone"], "timezone cannot be null"),
    ("preferences", {"plates_kg": [20, "x"]}, ["body", "plates_kg", 1], "valid number"),
    ("preferences", {"bar_weight_kg": None}, ["body", "bar_weight_kg"], "cannot be null"),
]


@pytest.mark.parametrize(
    ("target", "body", "loc", "message"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
async def test_a_patch_error_points_at_the_field_sent(
    client: httpx.AsyncClient,
    user: UserHandle,
    target: str,
    body: dict[str, Any],
    loc: list[str | int],
    message: str,
) -> None:
    url = (await _paths(client, user))[target]
    before = (await client.get(url, headers=user.headers)).json()
    response = await client.patch(url, json=body, headers=user.headers)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [error["loc"] for error in errors] == [loc], errors  # one error, at the field
    assert message in errors[0]["msg"]
    assert (await client.get(url, headers=user.headers)).json() == before


async def test_a_missing_field_in_a_list_keeps_its_name(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    body = {"name": "W", "exercises": [{"sets": []}]}
    response = await client.post("/api/v1/workouts", json=body, headers=user.headers)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [
        ["body", "exercises", 0, "exercise_id"]
    ]


async def test_a_bad_path_id_is_located_in_the_path(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.patch(
        f"/api/v1/workouts/{uuid.uuid4()}x", json={"name": "W"}, headers=user.headers
    )
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [["path", "workout_id"]]
