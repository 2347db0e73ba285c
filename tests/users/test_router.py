import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import AuthSession, Exercise, RefreshToken, User, Workout
from tests.conftest import UserHandle

ME = "/api/v1/users/me"
PASSWORD = "/api/v1/users/me/password"
LOGIN = "/api/v1/auth/login"


async def test_get_me_returns_the_documented_fields(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.get(ME, headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "email",
        "name",
        "email_verified",
        "is_admin",
        "has_password",
        "google_linked",
        "created_at",
        "updated_at",
    }
    assert body["id"] == str(user.id)
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


async def test_patch_me_changes_the_name(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await client.patch(ME, json={"name": "  Grace  "}, headers=user.headers)
    assert response.status_code == 200
    assert response.json()["name"] == "Grace"
    assert await db.scalar(select(User.name).where(User.id == user.id)) == "Grace"


async def test_patch_me_is_partial_and_an_empty_body_changes_nothing(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    named = await client.patch(ME, json={"name": "Grace"}, headers=user.headers)
    assert named.status_code == 200, named.text
    before = named.json()

    for request in (
        {"json": {}},
        {"content": b""},
        {"content": b"", "headers": {"content-type": "application/json"}},
    ):
        headers = {**user.headers, **request.pop("headers", {})}
        response = await client.patch(ME, headers=headers, **request)
        assert response.status_code == 200, response.text
        assert response.json() == before
    assert await db.scalar(select(User.name).where(User.id == user.id)) == "Grace"
    assert await db.scalar(select(User.updated_at).where(User.id == user.id)) is not None


async def test_patch_me_refuses_a_null_or_blank_name(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    for body in ({"name": None}, {"name": "   "}):
        response = await client.patch(ME, json=body, headers=user.headers)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "validation_error"
    assert await db.scalar(select(User.name).where(User.id == user.id)) != ""


async def test_patch_me_refuses_other_fields(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await client.patch(
        ME, json={"name": "Grace", "email": "evil@example.com"}, headers=user.headers
    )
    assert response.status_code == 422
    assert await db.scalar(select(User.email).where(User.id == user.id)) == user.email


async def test_patch_me_with_wrong_content_type_is_415(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.patch(
        ME, content=b'{"name": "Grace"}', headers={**user.headers, "content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


async def test_patch_me_with_broken_json_is_400(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.patch(
        ME, content=b'{"name": "Gr', headers={**user.headers, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


async def test_oversized_body_is_413(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await client.patch(
        ME,
        content=b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}',
        headers={**user.headers, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_change_password_keeps_this_session_and_ends_the_others(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    other = (await client.post(LOGIN, json={"email": user.email, "password": user.password})).json()
    response = await client.post(
        PASSWORD,
        json={"current_password": user.password, "new_password": "a brand new one"},
        headers=user.headers,
    )
    assert response.status_code == 204
    assert (await client.get(ME, headers=user.headers)).status_code == 200
    other_headers = {"Authorization": f"Bearer {other['access_token']}"}
    assert (await client.get(ME, headers=other_headers)).status_code == 401
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]}
    )
    assert refresh.status_code == 401
    old = await client.post(LOGIN, json={"email": user.email, "password": user.password})
    assert old.status_code == 401
    new = await client.post(LOGIN, json={"email": user.email, "password": "a brand new one"})
    assert new.status_code == 200


async def test_change_password_with_wrong_current_password_is_403(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(
        PASSWORD,
        json={"current_password": "not it at all", "new_password": "a brand new one"},
        headers=user.headers,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_credentials"
    assert (
        await client.post(LOGIN, json={"email": user.email, "password": user.password})
    ).status_code == 200


async def test_change_password_checks_new_password_length(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(
        PASSWORD,
        json={"current_password": user.password, "new_password": "short"},
        headers=user.headers,
    )
    assert response.status_code == 422


async def test_delete_me_removes_the_account_and_its_rows(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, db: AsyncSession
) -> None:
    response = await client.delete(ME, headers=user.headers)
    assert response.status_code == 204
    assert (await client.get(ME, headers=user.headers)).status_code == 401
    for model in (User, AuthSession, RefreshToken):
        column = model.id if model is User else model.user_id
        remaining = await db.scalar(
            select(func.count()).select_from(model).where(column == user.id)
        )
        assert remaining == 0
    assert (await client.get(ME, headers=other_user.headers)).status_code == 200
    login = await client.post(LOGIN, json={"email": user.email, "password": user.password})
    assert login.status_code == 401


async def test_users_routes_need_a_token(client: httpx.AsyncClient) -> None:
    for method, path in (("GET", ME), ("PATCH", ME), ("DELETE", ME), ("POST", PASSWORD)):
        response = await client.request(method, path)
        assert response.status_code == 401, (method, path)


async def test_delete_me_removes_workouts_that_use_own_exercises(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await client.post(
        "/api/v1/exercises",
        json={"name": "Tempo Pin Press", "body_part": "chest", "modality": "BARBELL"},
        headers=user.headers,
    )
    exercise_id = created.json()["id"]
    workout = await client.post(
        "/api/v1/workouts",
        json={"name": "Own", "exercises": [{"exercise_id": exercise_id, "sets": [{"reps": 5}]}]},
        headers=user.headers,
    )
    assert workout.status_code == 201
    response = await client.delete(ME, headers=user.headers)
    assert response.status_code == 204
    for model, column in ((Workout, Workout.user_id), (Exercise, Exercise.user_id)):
        count = await db.scalar(select(func.count()).select_from(model).where(column == user.id))
        assert count == 0


async def test_new_rows_have_updated_at_equal_to_created_at(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    body = (await client.get(ME, headers=user.headers)).json()
    assert body["updated_at"] == body["created_at"]
