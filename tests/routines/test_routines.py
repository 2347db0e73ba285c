"""The routine and folder routes: shapes, positions, ownership, ETags, idempotency, bad input."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import Routine, RoutineExercise, RoutineSet
from ironlog.routines.schemas import FolderRead, RoutineRead
from tests.conftest import QueryCounter, UserHandle
from tests.routines.conftest import (
    FOLDERS,
    ROUTINES,
    create_folder,
    create_routine,
    get_routine,
    routine_tree,
    target,
)


@pytest.fixture
async def routine(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> dict[str, Any]:
    return await create_routine(client, user, exercises=routine_tree(exercise_ids[:2]))


async def count_rows(db: AsyncSession) -> tuple[int, int, int]:
    routines = await db.scalar(select(func.count()).select_from(Routine))
    exercises = await db.scalar(select(func.count()).select_from(RoutineExercise))
    sets = await db.scalar(select(func.count()).select_from(RoutineSet))
    return int(routines or 0), int(exercises or 0), int(sets or 0)


async def test_create_returns_the_routine_with_location_and_etag(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    exercises = [
        {
            "exercise_id": str(exercise_ids[0]),
            "notes": "  Pause  ",
            "rest_seconds": 150,
            "superset": 3,
            "progression": {"increment_kg": 2.5},
            "sets": [
                {"set_type": "warmup", "weight_kg": 40, "reps": 10},
                {"weight_kg": 102.05828, "rep_range": {"min": 6, "max": 8}, "rpe": 8.5},
            ],
        },
        {"exercise_id": str(exercise_ids[1]), "superset": 3, "sets": [{"duration_seconds": 60}]},
    ]
    response = await client.post(
        ROUTINES,
        json={"name": " Push A ", "notes": "Heavy", "exercises": exercises},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    RoutineRead.model_validate(body)
    assert response.headers["location"] == f"/api/v1/routines/{body['id']}"
    assert response.headers["etag"] == f'"{uuid.UUID(body["id"]).hex}.1"'
    assert body["name"] == "Push A"
    assert body["position"] == 0
    assert body["folder_id"] is None
    first, second = body["exercises"]
    assert first["notes"] == "Pause"
    assert first["rest_seconds"] == 150
    assert first["superset"] == 3
    assert first["progression"] == {"increment_kg": 2.5}
    assert first["sets"] == [
        {
            "position": 0,
            "set_type": "warmup",
            "weight_kg": 40.0,
            "reps": 10,
            "rep_range": None,
            "duration_seconds": None,
            "distance_m": None,
            "rpe": None,
        },
        {
            "position": 1,
            "set_type": "normal",
            "weight_kg": 102.058,
            "reps": None,
            "rep_range": {"min": 6, "max": 8},
            "duration_seconds": None,
            "distance_m": None,
            "rpe": 8.5,
        },
    ]
    assert second["position"] == 1
    assert second["exercise"]["id"] == str(exercise_ids[1])
    assert second["progression"] is None
    fetched = await get_routine(client, user, body["id"])
    assert fetched.json() == body
    assert fetched.headers["etag"] == response.headers["etag"]


async def test_client_chosen_id_and_existing_id_is_409(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    chosen = str(uuid.uuid4())
    created = await create_routine(client, user, id=chosen)
    assert created["id"] == chosen
    for who in (user, other_user):
        again = await client.post(ROUTINES, json={"id": chosen, "name": "X"}, headers=who.headers)
        assert again.status_code == 409
        assert again.json()["code"] == "routine_exists"


async def test_new_routines_go_to_the_end_and_list_in_order(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    names = ["A", "B", "C"]
    for name in names:
        await create_routine(client, user, name=name)
    await create_routine(client, other_user, name="Theirs")
    page = (await client.get(ROUTINES, params={"size": 2}, headers=user.headers)).json()
    assert [(item["name"], item["position"]) for item in page["items"]] == [("A", 0), ("B", 1)]
    assert (page["total"], page["pages"]) == (3, 2)
    second = (
        await client.get(ROUTINES, params={"page": 2, "size": 2}, headers=user.headers)
    ).json()
    assert [item["name"] for item in second["items"]] == ["C"]


async def test_reorder_and_delete_keep_positions_contiguous(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    ids = [(await create_routine(client, user, name=name))["id"] for name in "ABCD"]
    etag_before = (await get_routine(client, user, ids[0])).headers["etag"]
    wanted = [ids[2], ids[0], ids[3], ids[1]]
    response = await client.put(f"{ROUTINES}/order", json={"ids": wanted}, headers=user.headers)
    assert response.status_code == 200, response.text
    assert [(item["id"], item["position"]) for item in response.json()] == [
        (routine_id, index) for index, routine_id in enumerate(wanted)
    ]
    assert (await get_routine(client, user, ids[0])).headers["etag"] != etag_before
    deleted = await client.delete(f"{ROUTINES}/{ids[0]}", headers=user.headers)
    assert deleted.status_code == 204
    page = (await client.get(ROUTINES, headers=user.headers)).json()
    assert [(item["id"], item["position"]) for item in page["items"]] == [
        (ids[2], 0),
        (ids[3], 1),
        (ids[1], 2),
    ]


@pytest.mark.parametrize(
    "kind", ["missing one", "duplicate", "unknown id", "another user's"], ids=str
)
async def test_reorder_that_is_not_a_permutation_is_422_and_changes_nothing(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, kind: str
) -> None:
    ids = [(await create_routine(client, user, name=name))["id"] for name in "AB"]
    theirs = (await create_routine(client, other_user))["id"]
    wanted = {
        "missing one": [ids[1]],
        "duplicate": [ids[1], ids[1]],
        "unknown id": [ids[1], str(uuid.uuid4())],
        "another user's": [ids[1], ids[0], theirs],
    }[kind]
    response = await client.put(f"{ROUTINES}/order", json={"ids": wanted}, headers=user.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_order"
    page = (await client.get(ROUTINES, headers=user.headers)).json()
    assert [item["id"] for item in page["items"]] == ids


async def test_replace_changes_the_tree_and_keeps_the_position(
    client: httpx.AsyncClient,
    user: UserHandle,
    routine: dict[str, Any],
    exercise_ids: list[uuid.UUID],
) -> None:
    await create_routine(client, user, name="Second")
    path = f"{ROUTINES}/{routine['id']}"
    body = {"name": "Replaced", "exercises": routine_tree(exercise_ids[3:4], sets_each=3)}
    response = await client.put(path, json=body, headers=user.headers)
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert replaced["name"] == "Replaced"
    assert replaced["position"] == 0
    assert [item["exercise_id"] for item in replaced["exercises"]] == [str(exercise_ids[3])]
    assert [item["position"] for item in replaced["exercises"][0]["sets"]] == [0, 1, 2]
    assert response.headers["etag"].endswith('.2"')
    assert replaced["created_at"] == routine["created_at"]
    assert replaced["updated_at"] > routine["updated_at"]


async def test_patch_changes_only_the_fields_sent(
    client: httpx.AsyncClient, user: UserHandle, routine: dict[str, Any]
) -> None:
    folder = await create_folder(client, user, "PPL")
    path = f"{ROUTINES}/{routine['id']}"
    response = await client.patch(path, json={"folder_id": folder["id"]}, headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["folder_id"] == folder["id"]
    assert response.json()["name"] == routine["name"]
    assert response.json()["exercises"] == routine["exercises"]
    renamed = await client.patch(path, json={"name": "Renamed"}, headers=user.headers)
    assert renamed.json()["folder_id"] == folder["id"]
    moved_out = await client.patch(path, json={"folder_id": None}, headers=user.headers)
    assert moved_out.json()["folder_id"] is None
    assert moved_out.json()["name"] == "Renamed"


async def test_etag_if_match_on_put_patch_delete(
    client: httpx.AsyncClient, user: UserHandle, routine: dict[str, Any]
) -> None:
    path = f"{ROUTINES}/{routine['id']}"
    etag = (await client.get(path, headers=user.headers)).headers["etag"]
    changed = await client.patch(
        path, json={"name": "One"}, headers={**user.headers, "If-Match": etag}
    )
    assert changed.status_code == 200
    for method, body in (("PATCH", {"name": "Two"}), ("PUT", {"name": "Two"}), ("DELETE", None)):
        stale = await client.request(
            method, path, json=body, headers={**user.headers, "If-Match": etag}
        )
        assert stale.status_code == 412, method
        assert stale.json()["code"] == "precondition_failed"
    assert (await client.get(path, headers=user.headers)).json()["name"] == "One"
    current = changed.headers["etag"]
    gone = await client.delete(path, headers={**user.headers, "If-Match": current})
    assert gone.status_code == 204
    assert (await client.get(path, headers=user.headers)).status_code == 404


OWNED_ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "", None),
    ("PUT", "", {"name": "Mine now"}),
    ("PATCH", "", {"name": "Mine now"}),
    ("DELETE", "", None),
    ("POST", "/start", {"started_at": "2026-11-20T18:30:00Z"}),
]


@pytest.mark.parametrize("whose", ["own", "another user's", "missing"])
async def test_a_routine_read_checks_the_session_in_its_statement(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    routine: dict[str, Any],
    queries: QueryCounter,
    whose: str,
) -> None:
    """One query reads the routine and checks the caller's session; once signed out, the read
    is 401 whether or not the routine is the caller's."""
    theirs = await create_routine(client, other_user, name="Theirs")
    routine_id = {"own": routine["id"], "another user's": theirs["id"], "missing": uuid.uuid4()}
    path = f"{ROUTINES}/{routine_id[whose]}"
    queries.reset()
    response = await client.get(path, headers=user.headers)
    assert response.status_code == (200 if whose == "own" else 404)
    if whose == "own":
        [statement] = queries.statements
        assert "auth_session" in statement and "routine" in statement, statement
    response = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})
    assert response.status_code == 204
    response = await client.get(path, headers=user.headers)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "suffix", "body"), OWNED_ROUTES, ids=str)
async def test_another_users_routine_is_404_on_every_route(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    routine: dict[str, Any],
    method: str,
    suffix: str,
    body: Any,
) -> None:
    path = f"{ROUTINES}/{routine['id']}{suffix}"
    response = await client.request(method, path, json=body, headers=other_user.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    if body is not None:  # ownership is checked before the body
        invalid = await client.request(method, path, json={"bogus": 1}, headers=other_user.headers)
        assert invalid.status_code == 404
    assert (await get_routine(client, user, routine["id"])).json() == routine


async def test_idempotency_key_replays_a_create(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    headers = {**user.headers, "Idempotency-Key": "routine-1"}
    first = await client.post(ROUTINES, json={"name": "Legs"}, headers=headers)
    again = await client.post(ROUTINES, json={"name": "Legs"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["etag"] == first.headers["etag"]
    other = await client.post(ROUTINES, json={"name": "Arms"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert (await count_rows(db))[0] == 1


def _with(exercise_ids: list[uuid.UUID], **changes: Any) -> dict[str, Any]:
    exercise = {"exercise_id": str(exercise_ids[0]), "sets": [target()]}
    exercise.update(changes)
    return exercise


BAD_BODIES: list[tuple[str, Any, str]] = [
    ("empty name", lambda ids: {"name": "   "}, "validation_error"),
    ("name too long", lambda ids: {"name": "x" * 101}, "validation_error"),
    (
        "rep_range min above max",
        lambda ids: {"exercises": [_with(ids, sets=[{"rep_range": {"min": 12, "max": 8}}])]},
        "validation_error",
    ),
    (
        "set without a target",
        lambda ids: {"exercises": [_with(ids, sets=[{"weight_kg": 60}])]},
        "validation_error",
    ),
    (
        "weight out of range",
        lambda ids: {"exercises": [_with(ids, sets=[target(weight_kg=1000.5)])]},
        "validation_error",
    ),
    (
        "weight as a string",
        lambda ids: {"exercises": [_with(ids, sets=[target(weight_kg="60")])]},
        "validation_error",
    ),
    (
        "zero increment",
        lambda ids: {"exercises": [_with(ids, progression={"increment_kg": 0})]},
        "validation_error",
    ),
    (
        # 0.0004 kg would be stored as 0 g (weights are kept to the gram).
        "increment that rounds to zero",
        lambda ids: {"exercises": [_with(ids, progression={"increment_kg": 0.0004999})]},
        "validation_error",
    ),
    (
        "unknown exercise",
        lambda ids: {"exercises": [{"exercise_id": str(uuid.uuid4())}]},
        "unknown_exercise",
    ),
    (
        "same exercise twice",
        lambda ids: {"exercises": [_with(ids), _with(ids)]},
        "duplicate_exercise",
    ),
    ("unknown folder", lambda ids: {"folder_id": str(uuid.uuid4())}, "unknown_folder"),
    (
        "lone superset",
        lambda ids: {"exercises": [_with(ids, superset=1), _with(ids[1:])]},
        "invalid_superset",
    ),
    (
        "superset not adjacent",
        lambda ids: {
            "exercises": [_with(ids, superset=1), _with(ids[1:]), _with(ids[2:], superset=1)]
        },
        "invalid_superset",
    ),
    ("superset too big", lambda ids: {"exercises": [_with(ids, superset=100)]}, "validation_error"),
    ("unknown field", lambda ids: {"position": 3}, "validation_error"),
]


@pytest.mark.parametrize(("case", "make", "code"), BAD_BODIES, ids=[c for c, _, _ in BAD_BODIES])
async def test_bad_routine_is_refused_on_create_and_replace_and_changes_nothing(
    client: httpx.AsyncClient,
    user: UserHandle,
    routine: dict[str, Any],
    exercise_ids: list[uuid.UUID],
    db: AsyncSession,
    case: str,
    make: Any,
    code: str,
) -> None:
    body = {"name": "Bad", **make(exercise_ids)}
    before = await count_rows(db)
    created = await client.post(ROUTINES, json=body, headers=user.headers)
    assert created.status_code == 422, created.text
    assert created.json()["code"] == code
    replaced = await client.put(f"{ROUTINES}/{routine['id']}", json=body, headers=user.headers)
    assert replaced.status_code == 422
    assert replaced.json()["code"] == code
    assert await count_rows(db) == before
    assert (await get_routine(client, user, routine["id"])).json() == routine


async def test_the_least_increment_is_one_gram(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    body = {
        "name": "Micro",
        "exercises": [_with(exercise_ids, progression={"increment_kg": 0.0005})],
    }
    response = await client.post(ROUTINES, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    assert response.json()["exercises"][0]["progression"] == {"increment_kg": 0.001}


async def test_another_users_folder_is_unknown_folder(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, routine: dict[str, Any]
) -> None:
    theirs = await create_folder(client, other_user, "Theirs")
    created = await client.post(
        ROUTINES, json={"name": "X", "folder_id": theirs["id"]}, headers=user.headers
    )
    assert created.status_code == 422
    assert created.json()["code"] == "unknown_folder"
    patched = await client.patch(
        f"{ROUTINES}/{routine['id']}", json={"folder_id": theirs["id"]}, headers=user.headers
    )
    assert patched.json()["code"] == "unknown_folder"


async def test_another_users_custom_exercise_is_unknown(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    custom = await client.post(
        "/api/v1/exercises",
        json={"name": "Secret Press", "body_part": "chest", "modality": "BARBELL"},
        headers=other_user.headers,
    )
    body = {"name": "X", "exercises": [{"exercise_id": custom.json()["id"], "sets": [target()]}]}
    response = await client.post(ROUTINES, json=body, headers=user.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_exercise"


async def test_exercise_used_by_a_routine_cannot_be_deleted(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    custom = await client.post(
        "/api/v1/exercises",
        json={"name": "Log Press", "body_part": "shoulders", "modality": "BARBELL"},
        headers=user.headers,
    )
    exercise_id = custom.json()["id"]
    routine = await create_routine(
        client, user, exercises=[{"exercise_id": exercise_id, "sets": [target()]}]
    )
    refused = await client.delete(f"/api/v1/exercises/{exercise_id}", headers=user.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "exercise_in_use"
    await client.delete(f"{ROUTINES}/{routine['id']}", headers=user.headers)
    allowed = await client.delete(f"/api/v1/exercises/{exercise_id}", headers=user.headers)
    assert allowed.status_code == 204


async def test_deleting_the_account_deletes_routines_and_folders(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    custom = await client.post(
        "/api/v1/exercises",
        json={"name": "Log Press", "body_part": "shoulders", "modality": "BARBELL"},
        headers=user.headers,
    )
    folder = await create_folder(client, user, "PPL")
    routine = await create_routine(
        client,
        user,
        folder_id=folder["id"],
        exercises=[{"exercise_id": custom.json()["id"], "sets": [target()]}],
    )
    started = await client.post(f"{ROUTINES}/{routine['id']}/start", headers=user.headers)
    assert started.status_code == 201
    response = await client.delete("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 204
    assert await count_rows(db) == (0, 0, 0)


# Folders.


async def test_folder_routes(client: httpx.AsyncClient, user: UserHandle) -> None:
    chosen = str(uuid.uuid4())
    created = await client.post(
        FOLDERS, json={"id": chosen, "name": " Push "}, headers=user.headers
    )
    assert created.status_code == 201, created.text
    folder = created.json()
    FolderRead.model_validate(folder)
    assert (folder["id"], folder["name"], folder["position"]) == (chosen, "Push", 0)
    assert created.headers["location"] == f"/api/v1/routine-folders/{chosen}"
    again = await client.post(FOLDERS, json={"id": chosen, "name": "X"}, headers=user.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "routine_folder_exists"
    path = f"{FOLDERS}/{chosen}"
    assert (await client.get(path, headers=user.headers)).json() == folder
    renamed = await client.put(path, json={"name": "Pull"}, headers=user.headers)
    assert renamed.json()["name"] == "Pull"
    patched = await client.patch(path, json={"name": "Legs"}, headers=user.headers)
    assert patched.json()["name"] == "Legs"
    empty = await client.patch(path, json={"name": ""}, headers=user.headers)
    assert empty.status_code == 422
    listed = (await client.get(FOLDERS, headers=user.headers)).json()
    assert [item["name"] for item in listed["items"]] == ["Legs"]


async def test_deleting_a_folder_moves_its_routines_out(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    folders = [await create_folder(client, user, name) for name in ("A", "B", "C")]
    routine = await create_routine(client, user, folder_id=folders[0]["id"])
    etag = (await get_routine(client, user, routine["id"])).headers["etag"]
    response = await client.delete(f"{FOLDERS}/{folders[0]['id']}", headers=user.headers)
    assert response.status_code == 204
    moved = await get_routine(client, user, routine["id"])
    assert moved.json()["folder_id"] is None
    assert moved.headers["etag"] != etag
    listed = (await client.get(FOLDERS, headers=user.headers)).json()
    assert [(item["name"], item["position"]) for item in listed["items"]] == [("B", 0), ("C", 1)]


async def test_folder_reorder(client: httpx.AsyncClient, user: UserHandle) -> None:
    ids = [(await create_folder(client, user, name))["id"] for name in "ABC"]
    wanted = [ids[2], ids[0], ids[1]]
    response = await client.put(f"{FOLDERS}/order", json={"ids": wanted}, headers=user.headers)
    assert response.status_code == 200
    assert [(item["id"], item["position"]) for item in response.json()] == [
        (folder_id, index) for index, folder_id in enumerate(wanted)
    ]
    bad = await client.put(f"{FOLDERS}/order", json={"ids": wanted[:2]}, headers=user.headers)
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_order"


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("PUT", {"name": "X"}), ("PATCH", {"name": "X"}), ("DELETE", None)],
    ids=["GET", "PUT", "PATCH", "DELETE"],
)
async def test_another_users_folder_is_404(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    method: str,
    body: Any,
) -> None:
    folder = await create_folder(client, user, "Mine")
    path = f"{FOLDERS}/{folder['id']}"
    response = await client.request(method, path, json=body, headers=other_user.headers)
    assert response.status_code == 404
    if body is not None:
        invalid = await client.request(method, path, json={"name": ""}, headers=other_user.headers)
        assert invalid.status_code == 404
    assert (await client.get(path, headers=user.headers)).json() == folder


async def test_routes_need_a_token(client: httpx.AsyncClient) -> None:
    for path in (ROUTINES, FOLDERS):
        assert (await client.get(path)).status_code == 401
