"""OWASP API3 (broken object property level authorization), the input side: a client can set
only the fields a request body documents. Ids it does not own, `user_id`, `is_system`,
timestamps and the like are refused with 422."""

import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import UserHandle
from tests.security.conftest import object_schemas, operations


def test_every_json_request_body_forbids_unknown_fields(openapi: dict[str, Any]) -> None:
    checked = 0
    for method, path, operation in operations(openapi):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue
        for schema in object_schemas(openapi, content["application/json"]["schema"]):
            assert schema.get("additionalProperties") is False, (method, path, schema)
            checked += 1
    assert checked >= 20  # every body model of the API, nested ones included


def test_the_import_form_has_only_its_documented_fields(openapi: dict[str, Any]) -> None:
    # The one body that is not JSON: a multipart upload whose named fields are read one by one
    # (a form is not a model; other parts are ignored, none can reach a column).
    body = openapi["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"]
    [schema] = object_schemas(openapi, body["multipart/form-data"]["schema"])
    assert set(schema["properties"]) == {
        "file",
        "source",
        "unit",
        "timezone",
        "dry_run",
        "skip_invalid_rows",
    }


OWNER = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/exercises", {"user_id": OWNER}),
        ("post", "/api/v1/exercises", {"is_system": True}),
        ("post", "/api/v1/exercises", {"created_at": "2020-01-01T00:00:00Z"}),
        ("post", "/api/v1/workouts", {"user_id": OWNER}),
        ("post", "/api/v1/workouts", {"version": 7}),
        ("put", "/api/v1/body-measurements/2026-11-20", {"user_id": OWNER}),
        ("put", "/api/v1/body-measurements/2026-11-20", {"id": OWNER}),
        ("put", "/api/v1/body-measurements/2026-11-20", {"created_at": "2020-01-01T00:00:00Z"}),
        ("post", "/api/v1/workouts", {"updated_at": "2020-01-01T00:00:00Z"}),
        ("patch", "/api/v1/users/me", {"email": "someone-else@example.com"}),
        ("patch", "/api/v1/users/me", {"email_verified": True}),
        ("patch", "/api/v1/users/me", {"password_hash": "x"}),
    ],
)
async def test_a_client_cannot_set_fields_it_does_not_own(
    client: httpx.AsyncClient, user: UserHandle, method: str, url: str, body: dict[str, Any]
) -> None:
    base: dict[str, Any] = {
        "/api/v1/exercises": {"name": "Mass Assignment Press", "body_part": "chest"}
        | {"modality": "BARBELL"},
        "/api/v1/workouts": {"name": "Push"},
        "/api/v1/body-measurements/2026-11-20": {"weight_kg": 80},
        "/api/v1/users/me": {"name": "Ada"},
    }[url]
    response = await client.request(method, url, json=base | body, headers=user.headers)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["type"] == "extra_forbidden"
    assert error["loc"] == ["body", *body]


async def test_register_cannot_mark_the_email_verified(client: httpx.AsyncClient) -> None:
    body = {"email": "mass@example.com", "password": "correct horse", "name": "M"}
    response = await client.post(
        "/api/v1/auth/register", json=body | {"email_verified": True, "id": OWNER}
    )
    assert response.status_code == 422
    assert {tuple(error["loc"]) for error in response.json()["errors"]} == {
        ("body", "email_verified"),
        ("body", "id"),
    }


async def test_a_set_cannot_carry_its_own_id_or_position(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    body = {"name": "Push", "exercises": []}
    workout = (await client.post("/api/v1/workouts", json=body, headers=user.headers)).json()
    bench = (await client.get("/api/v1/exercises", params={"q": "bench press"})).json()["items"][0]
    response = await client.post(
        f"/api/v1/workouts/{workout['id']}/exercises",
        json={"exercise_id": bench["id"], "sets": [{"reps": 5, "id": OWNER, "position": 7}]},
        headers=user.headers,
    )
    assert response.status_code == 422
    assert {tuple(error["loc"]) for error in response.json()["errors"]} == {
        ("body", "sets", 0, "id"),
        ("body", "sets", 0, "position"),
    }
