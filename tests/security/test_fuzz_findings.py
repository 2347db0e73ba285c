"""What schema fuzzing (drills/fuzz.py, docs/drills.md) found, kept as regression tests."""

import re
from typing import Any

import httpx

from ironlog.core.schemas import SUPPORTED_DATE_PATTERN
from tests.conftest import UserHandle
from tests.security.conftest import operations

WORKOUTS = "/api/v1/workouts"


async def _bench_press(client: httpx.AsyncClient) -> str:
    items = (await client.get("/api/v1/exercises", params={"q": "bench press"})).json()["items"]
    return str(items[0]["id"])


async def test_reordering_a_workout_without_exercises_is_a_no_op(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    workout = (await client.post(WORKOUTS, json={"name": "Empty"}, headers=user.headers)).json()
    response = await client.put(
        f"{WORKOUTS}/{workout['id']}/exercises/order",
        json={"exercise_ids": []},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text  # was a 500 (a CASE without WHEN)
    assert response.json()["exercises"] == []


async def test_whole_numbers_written_as_floats_are_integers(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    # JSON Schema's `integer` takes 5.0; JSON does not tell it from 5.
    bench = await _bench_press(client)
    body = {"exercise_id": bench, "sets": [{"reps": 5.0, "rest_seconds": 90.0}]}
    workout = (await client.post(WORKOUTS, json={"name": "W"}, headers=user.headers)).json()
    response = await client.post(
        f"{WORKOUTS}/{workout['id']}/exercises", json=body, headers=user.headers
    )
    assert response.status_code == 201, response.text
    [stored] = response.json()["sets"]
    assert (stored["reps"], stored["rest_seconds"]) == (5, 90)
    for bad in (5.5, "5", True):
        body = {"exercise_id": bench, "sets": [{"reps": bad}]}
        response = await client.post(
            WORKOUTS, json={"name": "W", "exercises": [body]}, headers=user.headers
        )
        assert response.status_code == 422, bad


async def test_binary_float_artefacts_are_rounded_away(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    bench = await _bench_press(client)
    sets = [{"reps": 1, "weight_kg": 0.29000000000000004, "distance_m": 12.070000000000002}]
    response = await client.post(
        WORKOUTS,
        json={"name": "W", "exercises": [{"exercise_id": bench, "sets": sets}]},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    [stored] = response.json()["exercises"][0]["sets"]
    assert (stored["weight_kg"], stored["distance_m"]) == (0.29, 12.07)
    sets = [{"reps": 1, "weight_kg": 80.1255, "distance_m": 12.075}]
    response = await client.post(
        WORKOUTS,
        json={"name": "W", "exercises": [{"exercise_id": bench, "sets": sets}]},
        headers=user.headers,
    )
    # Any precision is rounded: weights to the gram, distances to the centimetre (half up).
    assert response.status_code == 201, response.text
    [stored] = response.json()["exercises"][0]["sets"]
    assert (stored["weight_kg"], stored["distance_m"]) == (80.126, 12.08)


def test_every_body_route_documents_400_and_json_ones_415(openapi: dict[str, Any]) -> None:
    for method, path, operation in operations(openapi):
        content = operation.get("requestBody", {}).get("content", {})
        if not content:
            continue
        assert "400" in operation["responses"], (method, path)
        if "application/json" in content:
            assert "415" in operation["responses"], (method, path)


def test_a_set_schema_says_it_needs_a_measure(openapi: dict[str, Any]) -> None:
    # In the description, not as a schema-level anyOf: client generators turn that into a
    # union instead of a model (tests/test_client.py generates one).
    schema = openapi["components"]["schemas"]["SetWrite"]
    assert "anyOf" not in schema
    assert "needs reps, duration_seconds or distance_m" in schema["description"]
    # Any precision is accepted and rounded to the gram: no `multipleOf` for fuzzers to break.
    weight = schema["properties"]["weight_kg"]["anyOf"][0]
    assert "multipleOf" not in weight
    assert "rounded to the gram" in weight["description"]
    distance = schema["properties"]["distance_m"]["anyOf"][0]
    assert "multipleOf" not in distance
    assert "rounded to the centimetre" in distance["description"]


def test_dates_in_the_supported_years_say_so_in_their_pattern(openapi: dict[str, Any]) -> None:
    # A body measurement's date outside 1900..2999 is 422; the schema says it, so a fuzzer
    # neither expects it to work nor calls the 422 a refusal of valid data.
    [parameter] = openapi["paths"]["/api/v1/body-measurements/{measurement_date}"]["get"][
        "parameters"
    ]
    pattern = re.compile(parameter["schema"]["pattern"])
    assert pattern.pattern == SUPPORTED_DATE_PATTERN
    for day in ("1900-01-01", "2026-11-20", "2999-12-31"):
        assert pattern.search(day), day
    for day in ("0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"):
        assert not pattern.search(day), day
    filters = openapi["paths"]["/api/v1/workouts"]["get"]["parameters"]
    [from_date] = [item for item in filters if item["name"] == "from"]
    assert from_date["schema"]["anyOf"][0]["pattern"] == SUPPORTED_DATE_PATTERN


def test_plates_are_unique_items(openapi: dict[str, Any]) -> None:
    plates = openapi["components"]["schemas"]["PreferencesUpdate"]["properties"]["plates_kg"]
    assert plates["uniqueItems"] is True
    assert plates["items"]["minimum"] == 0.0005
