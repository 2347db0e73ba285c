"""The change feed through the API: snapshot, changes after a cursor, deletions, paging,
cursors that must be refused, and the system library's ETag."""

import base64
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import SyncTombstone, User
from tests.conftest import QueryCounter, UserHandle
from tests.sync.conftest import (
    SYNC,
    Replica,
    after_default_preferences,
    read_page,
    server_state,
)
from tests.workouts.conftest import WORKOUTS, create_workout, tree

EXERCISES = "/api/v1/exercises"


async def own_exercise(client: httpx.AsyncClient, user: UserHandle, name: str) -> dict[str, Any]:
    response = await client.post(
        EXERCISES,
        json={"name": name, "body_part": "chest", "modality": "BARBELL"},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_snapshot_holds_every_object_as_its_get_shows_it(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, exercise_ids: list[Any]
) -> None:
    exercise = await own_exercise(client, user, "Tempo Pin Press")
    first = await create_workout(client, user, exercises=tree(exercise_ids[:2], sets_each=3))
    second = await create_workout(
        client, user, name="Legs", exercises=[{"exercise_id": exercise["id"], "sets": []}]
    )
    await create_workout(client, other_user, name="Not mine")

    page = await read_page(client, user, None)

    assert (page["has_more"], page["reset"]) == (False, False)
    changes = after_default_preferences(user, page["changes"])
    assert [(c["entity"], c["id"], c["op"]) for c in changes] == [
        ("exercise", exercise["id"], "upsert"),
        ("workout", first["id"], "upsert"),
        ("workout", second["id"], "upsert"),
    ]
    versions = [change["version"] for change in changes]
    assert versions == [1, 2, 3]
    replica = Replica()
    replica.apply(page)
    assert replica.objects == await server_state(client, user)


async def test_an_up_to_date_client_gets_no_changes(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[Any]
) -> None:
    await create_workout(client, user, exercises=tree(exercise_ids[:1]))
    first = await read_page(client, user, None)

    again = await read_page(client, user, first["cursor"])

    assert again["changes"] == []
    assert (again["has_more"], again["reset"]) == (False, False)
    assert (await read_page(client, user, again["cursor"]))["changes"] == []


async def test_an_empty_account_has_an_empty_snapshot(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    page = await read_page(client, user, None)
    assert after_default_preferences(user, page["changes"]) == []
    assert (page["has_more"], page["reset"]) == (False, False)
    workout = await create_workout(client, user)
    later = await read_page(client, user, page["cursor"])
    assert [(c["id"], c["version"]) for c in later["changes"]] == [(workout["id"], 1)]


async def test_only_changes_after_the_cursor_come_each_once_in_its_latest_state(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[Any]
) -> None:
    untouched = await create_workout(client, user, name="Untouched")
    edited = await create_workout(client, user, exercises=tree(exercise_ids[:1]))
    replica = Replica()
    await replica.sync(client, user)

    url = f"{WORKOUTS}/{edited['id']}"
    for name in ("Push A", "Push B", "Push C"):
        response = await client.patch(url, json={"name": name}, headers=user.headers)
        assert response.status_code == 200
    response = await client.post(
        f"{url}/exercises/{exercise_ids[0]}/sets", json={"reps": 9}, headers=user.headers
    )
    assert response.status_code == 201
    page = await read_page(client, user, replica.cursor)

    assert [(c["entity"], c["id"], c["op"]) for c in page["changes"]] == [
        ("workout", edited["id"], "upsert")
    ]
    data = page["changes"][0]["data"]
    assert data["name"] == "Push C"
    assert [s["reps"] for s in data["exercises"][0]["sets"]] == [1, 2, 9]
    assert page["changes"][0]["version"] == 6  # 2 creates, 3 renames, 1 new set
    replica.apply(page)
    assert replica.objects == await server_state(client, user)
    assert replica.objects[("workout", untouched["id"])]["name"] == "Untouched"


async def test_every_workout_route_reaches_the_feed(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[Any]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:2]))
    url = f"{WORKOUTS}/{workout['id']}"
    first, second = (str(exercise_id) for exercise_id in exercise_ids[:2])
    set_id = workout["exercises"][0]["sets"][0]["id"]
    writes = [
        ("PATCH", url, {"notes": "felt strong"}),
        ("PUT", f"{url}/exercises/order", {"exercise_ids": [second, first]}),
        ("PATCH", f"{url}/exercises/{first}", {"notes": "slow"}),
        ("PATCH", f"{url}/exercises/{first}/sets/{set_id}", {"reps": 7}),
        ("DELETE", f"{url}/exercises/{first}/sets/{set_id}", None),
        ("POST", f"{url}/exercises", {"exercise_id": str(exercise_ids[2])}),
        ("DELETE", f"{url}/exercises/{second}", None),
        ("POST", f"{url}/finish", None),
        ("POST", f"{url}/reopen", None),
        ("PUT", url, {"name": "Replaced", "exercises": tree(exercise_ids[3:4])}),
    ]
    replica = Replica()
    await replica.sync(client, user)
    for method, path, body in writes:
        response = await client.request(method, path, json=body, headers=user.headers)
        assert response.status_code < 300, (method, path, response.text)
        page = await read_page(client, user, replica.cursor)
        assert [c["id"] for c in page["changes"]] == [workout["id"]], (method, path)
        replica.apply(page)
        assert replica.objects == await server_state(client, user), (method, path)


async def test_a_write_that_changes_nothing_records_nothing(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[Any]
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:2]))
    exercise = await own_exercise(client, user, "Larsen Press")
    page = await read_page(client, user, None)
    url = f"{WORKOUTS}/{workout['id']}"
    order = [str(execution["exercise_id"]) for execution in workout["exercises"]]
    for method, path, body in [
        ("PATCH", url, {}),
        ("PATCH", f"{url}/exercises/{order[0]}", {}),
        ("PUT", f"{url}/exercises/order", {"exercise_ids": order}),
        ("POST", f"{url}/reopen", None),
        ("PATCH", f"{EXERCISES}/{exercise['id']}", {"name": "Larsen Press"}),
        ("PATCH", f"{EXERCISES}/{exercise['id']}", {}),
    ]:
        response = await client.request(method, path, json=body, headers=user.headers)
        assert response.status_code == 200, (path, response.text)
        assert (await read_page(client, user, page["cursor"]))["changes"] == [], (method, path)


async def test_a_deleted_workout_is_a_tombstone_and_leaves_new_snapshots(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    kept = await create_workout(client, user, name="Kept")
    gone = await create_workout(client, user, name="Gone")
    replica = Replica()
    await replica.sync(client, user)

    response = await client.delete(f"{WORKOUTS}/{gone['id']}", headers=user.headers)
    assert response.status_code == 204
    page = await read_page(client, user, replica.cursor)

    assert page["changes"] == [
        {"entity": "workout", "id": gone["id"], "op": "delete", "version": 3, "data": None}
    ]
    replica.apply(page)
    assert set(replica.objects) == {("workout", kept["id"]), ("preferences", str(user.id))}
    snapshot = await read_page(client, user, None)
    changes = after_default_preferences(user, snapshot["changes"])
    assert [(c["id"], c["op"]) for c in changes] == [(kept["id"], "upsert")]
    stored = (await db.execute(select(SyncTombstone))).scalars().all()
    assert [(t.user_id, t.entity, str(t.entity_id), t.change_seq) for t in stored] == [
        (user.id, "workout", gone["id"], 3)
    ]


async def test_a_workout_deleted_then_recreated_with_its_id_comes_once(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    workout_id = str(uuid.uuid4())
    await create_workout(client, user, id=workout_id, name="First")
    early = Replica()
    await early.sync(client, user)
    response = await client.delete(f"{WORKOUTS}/{workout_id}", headers=user.headers)
    assert response.status_code == 204
    between = Replica()
    between.objects, between.cursor = dict(early.objects), early.cursor
    await between.sync(client, user)
    assert set(between.objects) == {("preferences", str(user.id))}
    await create_workout(client, user, id=workout_id, name="Second")
    response = await client.delete(f"{WORKOUTS}/{workout_id}", headers=user.headers)
    assert response.status_code == 204
    await create_workout(client, user, id=workout_id, name="Third")

    page = await read_page(client, user, early.cursor)
    assert [(c["id"], c["op"], c["version"]) for c in page["changes"]] == [
        (workout_id, "upsert", 5)
    ]
    assert page["changes"][0]["data"]["name"] == "Third"
    await between.sync(client, user)
    assert between.objects == await server_state(client, user)
    # Paged one change at a time, the deletion and the creation come one after the other.
    one_by_one = await read_page(client, user, early.cursor, limit=1)
    assert [(c["op"], c["version"]) for c in one_by_one["changes"]] == [("delete", 4)]
    following = await read_page(client, user, one_by_one["cursor"], limit=1)
    assert [(c["op"], c["version"]) for c in following["changes"]] == [("upsert", 5)]
    assert following["has_more"] is False


async def test_an_import_is_one_change_paged_by_limit(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    rows = ["Date,Workout Name,Exercise Name,Set Order,Weight,Reps"]
    for day in range(1, 6):
        rows.append(f"2026-01-0{day} 18:00:00,Day {day},Bench Press (Barbell),1,100,5")
    rows.append("2026-01-06 18:00:00,Day 6,Zercher Good Morning,1,60,8")
    response = await client.post(
        "/api/v1/imports",
        files={"file": ("strong.csv", "\n".join(rows).encode(), "text/csv")},
        data={"source": "strong", "unit": "kg"},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text

    replica = Replica()
    await replica.sync(client, user, limit=2)

    assert replica.pages == 4  # the preferences, 6 workouts and 1 new exercise, 2 a page
    assert replica.objects == await server_state(client, user)
    snapshot = await read_page(client, user, None)
    changes = after_default_preferences(user, snapshot["changes"])
    assert {change["version"] for change in changes} == {1}
    assert [c["entity"] for c in changes] == ["workout"] * 6 + ["exercise"]


async def test_renaming_an_exercise_changes_the_workouts_that_show_it(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    exercise = await own_exercise(client, user, "Pin Press")
    using = await create_workout(
        client, user, exercises=[{"exercise_id": exercise["id"], "sets": [{"reps": 3}]}]
    )
    await create_workout(client, user, name="Without it")
    replica = Replica()
    await replica.sync(client, user)

    response = await client.patch(
        f"{EXERCISES}/{exercise['id']}", json={"name": "Board Press"}, headers=user.headers
    )
    assert response.status_code == 200
    page = await read_page(client, user, replica.cursor)

    assert [(c["entity"], c["id"]) for c in page["changes"]] == [
        ("workout", using["id"]),
        ("exercise", exercise["id"]),
    ]
    assert page["changes"][0]["data"]["exercises"][0]["exercise"]["name"] == "Board Press"
    replica.apply(page)
    assert replica.objects == await server_state(client, user)
    response = await client.patch(
        f"{EXERCISES}/{exercise['id']}", json={"description": "Off pins"}, headers=user.headers
    )
    assert [c["entity"] for c in (await read_page(client, user, page["cursor"]))["changes"]] == [
        "exercise"
    ]


async def test_a_deleted_exercise_is_a_tombstone(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    exercise = await own_exercise(client, user, "Spoto Press")
    page = await read_page(client, user, None)
    response = await client.delete(f"{EXERCISES}/{exercise['id']}", headers=user.headers)
    assert response.status_code == 204
    later = await read_page(client, user, page["cursor"])
    assert later["changes"] == [
        {"entity": "exercise", "id": exercise["id"], "op": "delete", "version": 2, "data": None}
    ]


def _tampered(cursor: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[5] ^= 1  # the change number
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


async def test_cursors_not_issued_to_the_caller_are_422_and_reveal_nothing(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    await create_workout(client, other_user, name="Secret")
    theirs = (await read_page(client, other_user, None))["cursor"]
    mine = (await read_page(client, user, None))["cursor"]
    for cursor in ["garbage", mine[:-3], mine + "A", mine[:20], _tampered(mine), theirs,
                   "é" * 10, "x" * 5000, mine.replace("_", "/")]:  # fmt: skip
        response = await client.get(SYNC, params={"cursor": cursor}, headers=user.headers)
        assert response.status_code == 422, cursor
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "invalid_cursor"
        assert "Secret" not in response.text


async def test_bad_limits_are_422_and_a_token_is_required(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    for limit in ["0", "1001", "-1", "ten", "1.5"]:
        response = await client.get(SYNC, params={"limit": limit}, headers=user.headers)
        assert response.status_code == 422, limit
        assert response.json()["code"] == "validation_error"
    for limit in ["1", "1000"]:
        response = await client.get(SYNC, params={"limit": limit}, headers=user.headers)
        assert response.status_code == 200
    response = await client.get(SYNC)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_an_empty_cursor_is_a_snapshot(client: httpx.AsyncClient, user: UserHandle) -> None:
    workout = await create_workout(client, user)
    response = await client.get(SYNC, params={"cursor": ""}, headers=user.headers)
    changes = after_default_preferences(user, response.json()["changes"])
    assert [c["id"] for c in changes] == [workout["id"]]


async def test_a_cursor_ahead_of_the_counter_starts_again(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    """After a restore of an older backup the counter is behind the client's cursor."""
    workout = await create_workout(client, user)
    await create_workout(client, user)
    cursor = (await read_page(client, user, None))["cursor"]
    await db.execute(update(User).where(User.id == user.id).values(change_seq=1))
    await db.flush()

    page = await read_page(client, user, cursor)

    assert page["reset"] is True
    assert workout["id"] in [change["id"] for change in page["changes"]]


async def test_writes_cost_one_statement_for_the_feed(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[Any], queries: QueryCounter
) -> None:
    workout = await create_workout(client, user, exercises=tree(exercise_ids[:1]))
    url = f"{WORKOUTS}/{workout['id']}"
    cases = [
        ("POST", WORKOUTS, {"name": "New"}),
        ("PATCH", url, {"name": "Renamed"}),
        ("POST", f"{url}/exercises/{exercise_ids[0]}/sets", {"reps": 5}),
        ("DELETE", url, None),
    ]
    for method, path, body in cases:
        queries.reset()
        response = await client.request(method, path, json=body, headers=user.headers)
        assert response.status_code < 300
        feed = [s for s in queries.statements if "app_user" in s and "change_seq" in s]
        tombstones = [s for s in queries.statements if "sync_tombstone" in s]
        if method == "DELETE" and "app_user" not in " ".join(tombstones):
            assert len(feed) + len(tombstones) == 2, queries.statements  # SQLite
        else:
            assert len(feed) == 1, (method, queries.statements)


async def test_an_up_to_date_sync_is_one_query_with_the_session_check(
    client: httpx.AsyncClient, user: UserHandle, queries: QueryCounter
) -> None:
    await create_workout(client, user)
    cursor = (await read_page(client, user, None))["cursor"]
    queries.reset()
    assert (await read_page(client, user, cursor))["changes"] == []
    [statement] = queries.statements
    assert "change_seq" in statement and "auth_session" in statement, statement


@pytest.mark.parametrize("cursor", [None, "mine", "garbage"])
async def test_an_ended_session_is_401_whatever_the_cursor(
    client: httpx.AsyncClient, user: UserHandle, cursor: str | None
) -> None:
    """The feed's first query checks the session; a cursor it would refuse (422) is still 401
    once signed out."""
    mine = (await read_page(client, user, None))["cursor"]
    response = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})
    assert response.status_code == 204
    params = {} if cursor is None else {"cursor": mine if cursor == "mine" else cursor}
    response = await client.get(SYNC, params=params, headers=user.headers)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_the_system_library_answers_304_to_its_etag(client: httpx.AsyncClient) -> None:
    first = await client.get(f"{EXERCISES}/system", params={"size": 5})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert len(first.json()["items"]) == 5

    for header in [etag, f"W/{etag}", f'"other", {etag}', "*"]:
        again = await client.get(
            f"{EXERCISES}/system", params={"size": 5}, headers={"If-None-Match": header}
        )
        assert again.status_code == 304, header
        assert again.content == b""
        assert again.headers["etag"] == etag
    stale = await client.get(
        f"{EXERCISES}/system", params={"size": 5}, headers={"If-None-Match": '"stale"'}
    )
    assert stale.status_code == 200
    assert stale.json() == first.json()
    other_page = await client.get(f"{EXERCISES}/system", params={"size": 5, "page": 2})
    assert other_page.headers["etag"] != etag


async def test_body_measurements_reach_the_feed(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    path = "/api/v1/body-measurements/2026-11-20"
    created = await client.put(path, json={"weight_kg": 82.5}, headers=user.headers)
    assert created.status_code == 201, created.text
    page = await read_page(client, user, None)
    changes = after_default_preferences(user, page["changes"])
    assert [(c["entity"], c["op"], c["data"]) for c in changes] == [
        ("body_measurement", "upsert", created.json())
    ]
    replaced = await client.put(path, json={"waist": 84.25}, headers=user.headers)
    assert replaced.status_code == 200
    later = await read_page(client, user, page["cursor"])
    assert [(c["op"], c["data"], c["version"]) for c in later["changes"]] == [
        ("upsert", replaced.json(), 2)
    ]
    assert (await client.delete(path, headers=user.headers)).status_code == 204
    last = await read_page(client, user, later["cursor"])
    assert [(c["entity"], c["id"], c["op"], c["version"]) for c in last["changes"]] == [
        ("body_measurement", created.json()["id"], "delete", 3)
    ]
