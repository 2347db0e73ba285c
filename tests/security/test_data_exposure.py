"""OWASP API3 (broken object property level authorization), the output side: responses carry
the contract's fields only, never hashes, secrets or internal columns."""

from typing import Any

import httpx

from tests.conftest import UserHandle
from tests.security.conftest import object_schemas, operations

# Columns that exist in the database and must never reach a client.
INTERNAL = {
    "password",
    "password_hash",
    "token_hash",
    "refresh_token_hash",
    "request_hash",
    "google_subject",
    "name_key",
    "version",
    "family_id",
    "replaced_by",
    "revoked_at",
    "secret",
    "secret_key",
    "source_key_hash",
}
# Where the API does show these (the schemas named below; `Readiness.version` is the
# release, also in /openapi.json, not a row version; a sync `Change.version` is the change's
# number in the user's own feed).
ALLOWED = {
    "version": {"Readiness", "Change"},
    "user_id": {"ExerciseRead"},
    "access_token": {"TokenPair"},
    "refresh_token": {"TokenPair"},
}


def _response_schemas(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for method, path, operation in operations(document):
        for status, response in operation.get("responses", {}).items():
            for media in response.get("content", {}).values():
                if "schema" in media:
                    found.append((f"{method.upper()} {path} {status}", media["schema"]))
    return found


def test_no_response_schema_has_an_internal_field(openapi: dict[str, Any]) -> None:
    schemas = _response_schemas(openapi)
    assert len(schemas) > 60
    for where, root in schemas:
        for schema in object_schemas(openapi, root):
            fields = set(schema.get("properties", {}))
            leaked = fields & INTERNAL - {f for f in ALLOWED if schema.get("title") in ALLOWED[f]}
            assert not leaked, (where, schema.get("title"), leaked)
            for field, titles in ALLOWED.items():
                if field in fields:
                    assert schema.get("title") in titles, (where, schema.get("title"), field)


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


async def test_real_responses_carry_no_internal_field(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    headers = user.headers
    exercise = await client.post(
        "/api/v1/exercises",
        json={"name": "Exposure Curl", "body_part": "biceps", "modality": "CABLE"},
        headers=headers,
    )
    workout = await client.post(
        "/api/v1/workouts",
        json={
            "name": "Arms",
            "exercises": [{"exercise_id": exercise.json()["id"], "sets": [{"reps": 8}]}],
        },
        headers=headers,
    )
    routine = await client.post(
        "/api/v1/routines",
        json={
            "name": "Arms",
            "exercises": [{"exercise_id": exercise.json()["id"], "sets": [{"reps": 8}]}],
        },
        headers=headers,
    )
    login = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": user.password}
    )
    bodies = [
        exercise.json(),
        workout.json(),
        routine.json(),
        (await client.get("/api/v1/routines", headers=headers)).json(),
        login.json(),
        (await client.get("/api/v1/users/me", headers=headers)).json(),
        (await client.get("/api/v1/workouts", headers=headers)).json(),
        (await client.get("/api/v1/exercises/my-exercises", headers=headers)).json(),
        (await client.get("/api/v1/users/me/stats", headers=headers)).json(),
        (await client.get("/api/v1/users/me/records", headers=headers)).json(),
        (await client.get("/api/v1/users/me/preferences", headers=headers)).json(),
        (
            await client.put(
                "/api/v1/body-measurements/2026-11-20", json={"weight_kg": 80}, headers=headers
            )
        ).json(),
        (await client.get("/api/v1/body-measurements", headers=headers)).json(),
    ]
    export = (await client.get("/api/v1/export", headers=headers)).json()
    # The export's own `version` is its format's (docs/import-export.md), not a row version.
    assert set(export) == {
        "format",
        "version",
        "exported_at",
        "user",
        "preferences",
        "exercises",
        "body_measurements",
        "routine_folders",
        "routines",
        "workouts",
    }
    assert set(export["user"]) == {"id", "email", "name", "created_at"}
    bodies += [
        export["preferences"],
        export["exercises"],
        export["body_measurements"],
        export["workouts"],
        export["routine_folders"],
        export["routines"],
    ]
    for body in bodies:
        assert not _keys(body) & INTERNAL, body
    # The stored refresh token is a hash; the client gets the token, never the hash.
    assert login.json()["refresh_token"] != user.refresh_token
