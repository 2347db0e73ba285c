"""Every 204 of the API has no body and no `Content-Type` (there is no content to type), also
when an `Idempotency-Key` replays it. The routes are found in the OpenAPI document: a new 204
route fails here until it is covered."""

import uuid
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import User
from tests.conftest import UserHandle, register_user
from tests.workouts.conftest import WORKOUTS, create_workout, tree

Calls = dict[tuple[str, str], httpx.Response]


def assert_no_content(response: httpx.Response) -> None:
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert "content-type" not in response.headers


async def _call_every_204(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> Calls:
    headers = user.headers
    calls: Calls = {}
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:2], sets_each=2))
    base = f"{WORKOUTS}/{workout['id']}"
    first, second = workout["exercises"]
    set_id = first["sets"][0]["id"]
    calls[
        "delete", "/api/v1/workouts/{workout_id}/exercises/{exercise_id}/sets/{set_id}"
    ] = await client.delete(
        f"{base}/exercises/{first['exercise_id']}/sets/{set_id}", headers=headers
    )
    calls["delete", "/api/v1/workouts/{workout_id}/exercises/{exercise_id}"] = await client.delete(
        f"{base}/exercises/{second['exercise_id']}", headers=headers
    )
    calls["delete", "/api/v1/workouts/{workout_id}"] = await client.delete(base, headers=headers)

    exercise = await client.post(
        "/api/v1/exercises",
        json={"name": "Tempo Pin Press", "body_part": "chest", "modality": "BARBELL"},
        headers=headers,
    )
    assert exercise.status_code == 201, exercise.text
    calls["delete", "/api/v1/exercises/{exercise_id}"] = await client.delete(
        f"/api/v1/exercises/{exercise.json()['id']}", headers=headers
    )

    measured = await client.put(
        "/api/v1/body-measurements/2026-11-20", json={"weight_kg": 80}, headers=headers
    )
    assert measured.status_code in {200, 201}, measured.text
    calls["delete", "/api/v1/body-measurements/{measurement_date}"] = await client.delete(
        "/api/v1/body-measurements/2026-11-20", headers=headers
    )

    routine = await client.post("/api/v1/routines", json={"name": "A"}, headers=headers)
    folder = await client.post("/api/v1/routine-folders", json={"name": "F"}, headers=headers)
    assert (routine.status_code, folder.status_code) == (201, 201), routine.text + folder.text
    calls["delete", "/api/v1/routines/{routine_id}"] = await client.delete(
        f"/api/v1/routines/{routine.json()['id']}", headers=headers
    )
    calls["delete", "/api/v1/routine-folders/{folder_id}"] = await client.delete(
        f"/api/v1/routine-folders/{folder.json()['id']}", headers=headers
    )

    # As an administrator: revoke an invite; reset a password with a reset link.
    invite = await client.post("/api/v1/admin/invites", headers=headers)
    assert invite.status_code == 201, invite.text
    calls["delete", "/api/v1/admin/invites/{invite_id}"] = await client.delete(
        f"/api/v1/admin/invites/{invite.json()['id']}", headers=headers
    )
    member = await register_user(client)
    me = (await client.get("/api/v1/users/me", headers=member.headers)).json()
    link = await client.post(f"/api/v1/admin/users/{me['id']}/reset-link", headers=headers)
    assert link.status_code == 201, link.text
    reset = {"token": link.json()["url"].rsplit("token=", 1)[1], "new_password": "reset by link"}
    calls["post", "/api/v1/auth/password-reset"] = await client.post(
        "/api/v1/auth/password-reset", json=reset
    )

    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"current_password": user.password, "new_password": "a brand new one"}
    changed = await client.post("/api/v1/users/me/password", json=body, headers={**headers, **key})
    calls["post", "/api/v1/users/me/password"] = changed
    # Changing the password ends the other sessions; this one holds new tokens from here.
    again = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": body["new_password"]}
    )
    tokens = again.json()
    fresh = {"Authorization": f"Bearer {tokens['access_token']}"}
    calls["post", "/api/v1/auth/logout"] = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=fresh
    )

    other = await register_user(client)
    calls["post", "/api/v1/auth/logout-all"] = await client.post(
        "/api/v1/auth/logout-all", headers=other.headers
    )
    last = await register_user(client)
    calls["delete", "/api/v1/users/me"] = await client.delete(
        "/api/v1/users/me", headers=last.headers
    )
    return calls


async def test_every_204_has_no_content_type(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    await db.execute(update(User).where(User.id == user.id).values(is_admin=True))
    await db.commit()
    document: dict[str, Any] = (await client.get("/openapi.json")).json()
    no_content = {
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "204" in operation.get("responses", {})
    }

    calls = await _call_every_204(client, user, exercise_ids)

    assert set(calls) == no_content, "cover every 204 route here"
    for route, response in calls.items():
        assert "content-type" not in response.headers, route
        assert_no_content(response)


async def test_a_replayed_204_has_no_content_type(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    headers = {**user.headers, "Idempotency-Key": str(uuid.uuid4())}
    body = {"current_password": user.password, "new_password": "a brand new one"}

    first = await client.post("/api/v1/users/me/password", json=body, headers=headers)
    replayed = await client.post("/api/v1/users/me/password", json=body, headers=headers)

    assert_no_content(first)
    assert_no_content(replayed)
