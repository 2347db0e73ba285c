"""Routines, routine folders and preferences in the change feed: every write reaches it after
a cursor, with its side effects (routines leaving a deleted folder, workouts losing a deleted
routine, positions closing up), and a write that changes nothing records nothing."""

import uuid
from typing import Any

import httpx

from tests.conftest import UserHandle
from tests.routines.conftest import FOLDERS, ROUTINES, create_folder, create_routine, routine_tree
from tests.sync.conftest import Replica, after_default_preferences, read_page, server_state
from tests.workouts.conftest import WORKOUTS

PREFERENCES = "/api/v1/users/me/preferences"


async def _get(client: httpx.AsyncClient, user: UserHandle, path: str) -> Any:
    response = await client.get(path, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _folder(client: httpx.AsyncClient, user: UserHandle, folder_id: str) -> Any:
    return await _get(client, user, f"{FOLDERS}/{folder_id}")


def _keys(page: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    return [(c["entity"], c["id"], c["op"], c["version"]) for c in page["changes"]]


async def test_routine_and_folder_writes_reach_the_feed_as_their_get_shows_them(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    start = await read_page(client, user, None)
    folder = await create_folder(client, user, "Push days")
    routine = await create_routine(
        client, user, folder_id=folder["id"], exercises=routine_tree(exercise_ids[:2])
    )

    page = await read_page(client, user, start["cursor"])

    assert _keys(page) == [
        ("routine_folder", folder["id"], "upsert", 1),
        ("routine", routine["id"], "upsert", 2),
    ]
    assert page["changes"][0]["data"] == await _folder(client, user, folder["id"])
    assert page["changes"][1]["data"] == await _get(client, user, f"{ROUTINES}/{routine['id']}")

    path = f"{ROUTINES}/{routine['id']}"
    response = await client.patch(path, json={"name": "Push B"}, headers=user.headers)
    assert response.status_code == 200, response.text
    body = {"name": "Push C", "exercises": routine_tree(exercise_ids[2:3])}
    response = await client.put(path, json=body, headers=user.headers)
    assert response.status_code == 200, response.text
    response = await client.patch(
        f"{FOLDERS}/{folder['id']}", json={"name": "Pull days"}, headers=user.headers
    )
    assert response.status_code == 200, response.text

    later = await read_page(client, user, page["cursor"])

    assert _keys(later) == [
        ("routine", routine["id"], "upsert", 4),
        ("routine_folder", folder["id"], "upsert", 5),
    ]
    assert later["changes"][0]["data"]["name"] == "Push C"
    assert later["changes"][0]["data"]["folder_id"] is None  # PUT replaced the folder too
    assert later["changes"][1]["data"]["name"] == "Pull days"

    assert (await client.delete(path, headers=user.headers)).status_code == 204
    gone = await read_page(client, user, later["cursor"])
    assert _keys(gone) == [("routine", routine["id"], "delete", 6)]
    assert gone["changes"][0]["data"] is None


async def test_deleting_a_folder_changes_its_routines_and_the_folders_after_it(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    first = await create_folder(client, user, "A")
    second = await create_folder(client, user, "B")
    inside = await create_routine(client, user, name="In A", folder_id=first["id"])
    await create_routine(client, user, name="Loose")
    replica = Replica()
    await replica.sync(client, user)

    response = await client.delete(f"{FOLDERS}/{first['id']}", headers=user.headers)
    assert response.status_code == 204
    page = await read_page(client, user, replica.cursor)

    # One change (5): the routine leaves the folder, B closes up to position 0, A is deleted.
    assert _keys(page) == [
        ("routine", inside["id"], "upsert", 5),
        ("routine_folder", second["id"], "upsert", 5),
        ("routine_folder", first["id"], "delete", 5),
    ]
    assert page["changes"][0]["data"]["folder_id"] is None
    assert page["changes"][1]["data"]["position"] == 0
    replica.apply(page)
    assert replica.objects == await server_state(client, user)


async def test_deleting_a_routine_changes_its_workouts_and_the_routines_after_it(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    gone = await create_routine(client, user, name="Gone", exercises=routine_tree(exercise_ids[:1]))
    after = await create_routine(client, user, name="After")
    replica = Replica()
    await replica.sync(client, user)

    response = await client.post(f"{ROUTINES}/{gone['id']}/start", headers=user.headers)
    assert response.status_code == 201, response.text
    workout = response.json()
    started = await read_page(client, user, replica.cursor)
    assert _keys(started) == [("workout", workout["id"], "upsert", 3)]
    assert started["changes"][0]["data"]["routine_id"] == gone["id"]
    replica.apply(started)

    response = await client.delete(f"{ROUTINES}/{gone['id']}", headers=user.headers)
    assert response.status_code == 204
    page = await read_page(client, user, replica.cursor)

    assert _keys(page) == [
        ("workout", workout["id"], "upsert", 4),
        ("routine", after["id"], "upsert", 4),
        ("routine", gone["id"], "delete", 4),
    ]
    assert page["changes"][0]["data"]["routine_id"] is None
    assert page["changes"][1]["data"]["position"] == 0
    replica.apply(page)
    assert replica.objects == await server_state(client, user)


async def test_a_reorder_records_the_moved_routines_and_folders_only(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    routines = [(await create_routine(client, user, name=name))["id"] for name in "ABC"]
    folders = [(await create_folder(client, user, name))["id"] for name in "XYZ"]
    cursor = (await read_page(client, user, None))["cursor"]

    for path, ids in ((ROUTINES, routines), (FOLDERS, folders)):
        response = await client.put(f"{path}/order", json={"ids": ids}, headers=user.headers)
        assert response.status_code == 200, response.text
    assert (await read_page(client, user, cursor))["changes"] == []  # the same order

    order = [routines[0], routines[2], routines[1]]
    response = await client.put(f"{ROUTINES}/order", json={"ids": order}, headers=user.headers)
    assert response.status_code == 200, response.text
    order = [folders[1], folders[0], folders[2]]
    response = await client.put(f"{FOLDERS}/order", json={"ids": order}, headers=user.headers)
    assert response.status_code == 200, response.text
    page = await read_page(client, user, cursor)

    assert _keys(page) == [
        *(("routine", routine_id, "upsert", 7) for routine_id in sorted(routines[1:])),
        *(("routine_folder", folder_id, "upsert", 8) for folder_id in sorted(folders[:2])),
    ]
    positions = {c["id"]: c["data"]["position"] for c in page["changes"]}
    assert positions == {routines[2]: 1, routines[1]: 2, folders[1]: 0, folders[0]: 1}


async def test_preferences_are_in_every_snapshot_and_their_changes_follow(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    snapshot = await read_page(client, user, None)
    assert after_default_preferences(user, snapshot["changes"]) == []

    # A patch that changes nothing (empty, or the values there already) is not a change.
    for same in ({}, {"weight_unit": "kg", "timezone": "UTC"}):
        response = await client.patch(PREFERENCES, json=same, headers=user.headers)
        assert response.status_code == 200, response.text
        assert (await read_page(client, user, snapshot["cursor"]))["changes"] == []
    body = {"weight_unit": "lb", "plates_kg": [20, 10]}
    response = await client.patch(PREFERENCES, json=body, headers=user.headers)
    assert response.status_code == 200, response.text
    response = await client.patch(
        PREFERENCES, json={"timezone": "Europe/Paris"}, headers=user.headers
    )
    assert response.status_code == 200, response.text

    page = await read_page(client, user, snapshot["cursor"])

    assert _keys(page) == [("preferences", str(user.id), "upsert", 2)]
    assert page["changes"][0]["data"] == await _get(client, user, PREFERENCES)
    assert page["changes"][0]["data"]["timezone"] == "Europe/Paris"
    response = await client.patch(
        PREFERENCES, json={"timezone": "Europe/Paris", "plates_kg": [20, 10]}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    assert _keys(await read_page(client, user, snapshot["cursor"])) == _keys(page)
    again = await read_page(client, user, None)
    assert _keys(again) == [("preferences", str(user.id), "upsert", 2)]
    other = await read_page(client, other_user, None)
    assert after_default_preferences(other_user, other["changes"]) == []


async def test_a_workout_saved_as_a_routine_reaches_the_feed(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    body = {
        "name": "Monday",
        "exercises": [{"exercise_id": str(exercise_ids[0]), "sets": [{"reps": 5}]}],
    }
    response = await client.post(WORKOUTS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    cursor = (await read_page(client, user, None))["cursor"]

    response = await client.post(
        f"{WORKOUTS}/{response.json()['id']}/save-as-routine",
        json={"name": "Monday plan"},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    page = await read_page(client, user, cursor)

    assert _keys(page) == [("routine", response.json()["id"], "upsert", 2)]
    assert page["changes"][0]["data"] == response.json()


async def test_a_refused_routine_write_records_nothing(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    routine = await create_routine(client, user)
    foreign = await create_folder(client, other_user, "Not mine")
    cursor = (await read_page(client, user, None))["cursor"]

    path = f"{ROUTINES}/{routine['id']}"
    response = await client.patch(path, json={"folder_id": foreign["id"]}, headers=user.headers)
    assert response.status_code == 422, response.text
    response = await client.patch(path, json={}, headers=user.headers)
    assert response.status_code == 200, response.text
    response = await client.delete(f"{FOLDERS}/{foreign['id']}", headers=user.headers)
    assert response.status_code == 404, response.text
    response = await client.put(f"{ROUTINES}/order", json={"ids": []}, headers=user.headers)
    assert response.status_code == 422, response.text

    assert (await read_page(client, user, cursor))["changes"] == []


async def test_renaming_an_exercise_changes_the_routines_that_show_it(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    response = await client.post(
        "/api/v1/exercises",
        json={"name": "Pin Press", "body_part": "chest", "modality": "BARBELL"},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    exercise = response.json()
    using = await create_routine(
        client, user, exercises=[{"exercise_id": exercise["id"], "sets": [{"reps": 3}]}]
    )
    await create_routine(client, user, name="Without it", exercises=routine_tree(exercise_ids[:1]))
    replica = Replica()
    await replica.sync(client, user)
    etag = (await client.get(f"{ROUTINES}/{using['id']}", headers=user.headers)).headers["etag"]

    response = await client.patch(
        f"/api/v1/exercises/{exercise['id']}", json={"name": "Board Press"}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    page = await read_page(client, user, replica.cursor)

    assert [(c["entity"], c["id"]) for c in page["changes"]] == [
        ("exercise", exercise["id"]),
        ("routine", using["id"]),
    ]
    assert page["changes"][1]["data"]["exercises"][0]["exercise"]["name"] == "Board Press"
    replica.apply(page)
    assert replica.objects == await server_state(client, user)
    after = await client.get(f"{ROUTINES}/{using['id']}", headers=user.headers)
    assert after.headers["etag"] == etag  # the routine's own content is the same
