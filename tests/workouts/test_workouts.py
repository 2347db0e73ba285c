"""The workout resource: create, read, list, replace, change, delete, finish, reopen."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import ExerciseExecution, Workout, WorkoutSet
from ironlog.workouts.schemas import WorkoutRead
from tests.conftest import UserHandle
from tests.openapi_strict import StrictOpenAPI
from tests.workouts.conftest import WORKOUTS, a_set, create_workout, tree


async def count(db: AsyncSession, model: type, **where: object) -> int:
    statement = select(func.count()).select_from(model)
    for column, value in where.items():
        statement = statement.where(getattr(model, column) == value)
    return int(await db.scalar(statement) or 0)


async def test_create_minimal_workout(client: httpx.AsyncClient, user: UserHandle) -> None:
    before = datetime.now(UTC)
    response = await client.post(WORKOUTS, json={"name": "  Push day "}, headers=user.headers)
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Push day"
    assert body["status"] == "in_progress"
    assert body["finished_at"] is None
    assert body["duration_seconds"] is None
    assert body["exercises"] == []
    assert datetime.fromisoformat(body["started_at"]) >= before - timedelta(seconds=1)
    assert response.headers["location"] == f"/api/v1/workouts/{body['id']}"
    assert response.headers["etag"].startswith('"')
    WorkoutRead.model_validate(body)


async def test_create_with_tree_stores_every_row(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    body = await create_workout(
        client,
        user,
        started_at="2026-11-20T18:30:00+01:00",
        notes="Felt strong",
        exercises=tree(exercise_ids[:3], sets_each=4),
    )
    assert body["started_at"] == "2026-11-20T17:30:00Z"
    assert [execution["position"] for execution in body["exercises"]] == [0, 1, 2]
    assert [execution["exercise_id"] for execution in body["exercises"]] == [
        str(exercise_id) for exercise_id in exercise_ids[:3]
    ]
    first = body["exercises"][0]
    assert first["exercise"]["id"] == str(exercise_ids[0])
    assert set(first["exercise"]) == {"id", "name", "body_part", "modality"}
    assert [s["position"] for s in first["sets"]] == [0, 1, 2, 3]
    assert [s["reps"] for s in first["sets"]] == [1, 2, 3, 4]
    assert first["sets"][0]["weight_kg"] == 80.0
    assert first["sets"][0]["completed"] is True
    assert first["sets"][0]["set_type"] == "normal"
    workout_id = uuid.UUID(body["id"])
    assert await count(db, ExerciseExecution, workout_id=workout_id) == 3
    assert await count(db, WorkoutSet, workout_id=workout_id) == 12
    WorkoutRead.model_validate(body)


async def test_get_returns_what_create_returned(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    created = await client.post(
        WORKOUTS, json={"name": "Legs", "exercises": tree(exercise_ids[:2])}, headers=user.headers
    )
    response = await client.get(f"{WORKOUTS}/{created.json()['id']}", headers=user.headers)
    assert response.status_code == 200
    assert response.json() == created.json()
    assert response.headers["etag"] == created.headers["etag"]


async def test_client_chosen_id_is_kept_and_cannot_be_reused(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, db: AsyncSession
) -> None:
    workout_id = str(uuid.uuid4())
    body = await create_workout(client, user, id=workout_id)
    assert body["id"] == workout_id
    for owner in (user, other_user):
        again = await client.post(
            WORKOUTS, json={"id": workout_id, "name": "Again"}, headers=owner.headers
        )
        assert again.status_code == 409
        assert again.json()["code"] == "workout_exists"
    assert await count(db, Workout) == 1


async def test_same_exercise_twice_in_a_tree_is_422(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    response = await client.post(
        WORKOUTS,
        json={"name": "Twice", "exercises": tree([exercise_ids[0], exercise_ids[0]])},
        headers=user.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "duplicate_exercise"
    assert await count(db, Workout) == 0


async def test_exercise_the_caller_cannot_see_is_422(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await client.post(
        WORKOUTS,
        json={"name": "Ghost", "exercises": tree([uuid.uuid4()])},
        headers=user.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_exercise"
    assert await count(db, Workout) == 0


async def test_another_users_exercise_is_422_and_nothing_is_written(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    exercise_ids: list[uuid.UUID],
    db: AsyncSession,
) -> None:
    """The exercises are checked by the statement that writes the tree (on PostgreSQL): one
    the caller cannot see, among others it can, refuses the whole create."""
    response = await client.post(
        "/api/v1/exercises",
        json={"name": "Their Curl", "body_part": "arms", "modality": "DUMBBELL"},
        headers=other_user.headers,
    )
    assert response.status_code == 201, response.text
    theirs = uuid.UUID(response.json()["id"])
    for exercises in ([theirs], [exercise_ids[0], theirs, exercise_ids[1]]):
        response = await client.post(
            WORKOUTS, json={"name": "Borrowed", "exercises": tree(exercises)}, headers=user.headers
        )
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_exercise"
    assert await count(db, Workout) == 0
    assert await count(db, WorkoutSet) == 0


async def test_another_users_workout_is_404(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    body = await create_workout(client, user)
    response = await client.get(f"{WORKOUTS}/{body['id']}", headers=other_user.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_malformed_workout_id_is_422(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await client.get(f"{WORKOUTS}/not-a-uuid", headers=user.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_workouts_need_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get(WORKOUTS)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_trailing_slash_is_not_the_collection(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.get(f"{WORKOUTS}/", headers=user.headers)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "x" * 101),
        ("notes", "x" * 2001),
        ("started_at", "2026-11-20T17:30:00"),
        ("started_at", "yesterday"),
        ("user_id", str(uuid.uuid4())),
        ("status", "finished"),
    ],
)
async def test_create_rejects_bad_fields(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, field: str, value: object
) -> None:
    response = await client.post(WORKOUTS, json={"name": "Ok", field: value}, headers=user.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert await count(db, Workout) == 0


# Listing.


async def _history(client: httpx.AsyncClient, user: UserHandle) -> list[dict[str, object]]:
    days = ["2026-11-01T10:00:00Z", "2026-11-02T23:59:59Z", "2026-11-03T00:00:00Z"]
    return [
        await create_workout(client, user, name=f"Day {index}", started_at=day)
        for index, day in enumerate(days)
    ]


async def test_list_is_newest_first_and_paged(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    await _history(client, user)
    await create_workout(client, other_user, name="Not mine")
    response = await client.get(WORKOUTS, params={"size": 2}, headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert [item["name"] for item in body["items"]] == ["Day 2", "Day 1"]
    assert (body["total"], body["page"], body["size"], body["pages"]) == (3, 1, 2, 2)
    second = (
        await client.get(WORKOUTS, params={"size": 2, "page": 2}, headers=user.headers)
    ).json()
    assert [item["name"] for item in second["items"]] == ["Day 0"]
    past = (await client.get(WORKOUTS, params={"page": 9}, headers=user.headers)).json()
    assert past["items"] == []
    assert past["total"] == 3


async def test_list_ties_break_by_id(client: httpx.AsyncClient, user: UserHandle) -> None:
    ids = sorted(str(uuid.uuid4()) for _ in range(3))
    for workout_id in reversed(ids):
        await create_workout(client, user, id=workout_id, started_at="2026-11-01T10:00:00Z")
    body = (await client.get(WORKOUTS, headers=user.headers)).json()
    assert [item["id"] for item in body["items"]] == ids


async def test_empty_list_has_zero_pages(client: httpx.AsyncClient, user: UserHandle) -> None:
    body = (await client.get(WORKOUTS, headers=user.headers)).json()
    assert body == {"items": [], "total": 0, "page": 1, "size": 20, "pages": 0}


@pytest.mark.parametrize("params", [{"size": 0}, {"size": 101}, {"page": 0}, {"status": "done"}])
async def test_list_rejects_bad_parameters(
    client: httpx.AsyncClient, user: UserHandle, params: dict[str, object]
) -> None:
    response = await client.get(WORKOUTS, params=params, headers=user.headers)
    assert response.status_code == 422


async def test_list_date_filters_are_inclusive_utc_dates(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    await _history(client, user)

    async def names(**params: str) -> list[str]:
        body = (await client.get(WORKOUTS, params=params, headers=user.headers)).json()
        return [item["name"] for item in body["items"]]

    assert await names(**{"from": "2026-11-02", "to": "2026-11-02"}) == ["Day 1"]
    assert await names(**{"from": "2026-11-02"}) == ["Day 2", "Day 1"]
    assert await names(to="2026-11-01") == ["Day 0"]
    bad = await client.get(
        WORKOUTS, params={"from": "2026-11-03", "to": "2026-11-01"}, headers=user.headers
    )
    assert bad.status_code == 422


async def test_list_filters_by_status_exercise_and_name(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    with_bench = await create_workout(
        client, user, name="Heavy PUSH", exercises=tree(exercise_ids[:1])
    )
    finished = await create_workout(client, user, name="Easy pull")
    await client.post(f"{WORKOUTS}/{finished['id']}/finish", headers=user.headers)

    async def ids(**params: str) -> list[str]:
        body = (await client.get(WORKOUTS, params=params, headers=user.headers)).json()
        return [item["id"] for item in body["items"]]

    assert await ids(status="finished") == [finished["id"]]
    assert await ids(exercise_id=str(exercise_ids[0])) == [with_bench["id"]]
    assert await ids(q="push") == [with_bench["id"]]
    assert await ids(q="%") == []


async def test_list_items_carry_their_trees(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    created = await create_workout(client, user, exercises=tree(exercise_ids[:2], sets_each=3))
    body = (await client.get(WORKOUTS, headers=user.headers)).json()
    assert body["items"] == [created]


# Replace, change, delete.


async def test_put_replaces_the_whole_tree(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    created = await create_workout(client, user, notes="old", exercises=tree(exercise_ids[:3]))
    replacement = {"name": "Replaced", "exercises": tree([exercise_ids[4], exercise_ids[0]], 1)}
    response = await client.put(
        f"{WORKOUTS}/{created['id']}", json=replacement, headers=user.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Replaced"
    assert body["notes"] is None
    assert body["started_at"] == created["started_at"]
    assert [e["exercise_id"] for e in body["exercises"]] == [
        str(exercise_ids[4]),
        str(exercise_ids[0]),
    ]
    assert await count(db, WorkoutSet, workout_id=uuid.UUID(created["id"])) == 2
    assert response.headers["etag"] != ""


async def test_patch_changes_only_given_fields(client: httpx.AsyncClient, user: UserHandle) -> None:
    created = await create_workout(client, user, notes="keep me")
    response = await client.patch(
        f"{WORKOUTS}/{created['id']}",
        json={"name": "Renamed", "started_at": "2026-01-01T08:00:00Z"},
        headers=user.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["notes"], body["started_at"]) == (
        "Renamed",
        "keep me",
        "2026-01-01T08:00:00Z",
    )
    cleared = await client.patch(
        f"{WORKOUTS}/{created['id']}", json={"notes": None}, headers=user.headers
    )
    assert cleared.json()["notes"] is None
    null_name = await client.patch(
        f"{WORKOUTS}/{created['id']}", json={"name": None}, headers=user.headers
    )
    assert null_name.status_code == 422


async def test_delete_removes_the_tree(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    created = await create_workout(client, user, exercises=tree(exercise_ids[:2]))
    response = await client.delete(f"{WORKOUTS}/{created['id']}", headers=user.headers)
    assert response.status_code == 204
    workout_id = uuid.UUID(created["id"])
    assert await count(db, Workout, id=workout_id) == 0
    assert await count(db, ExerciseExecution, workout_id=workout_id) == 0
    assert await count(db, WorkoutSet, workout_id=workout_id) == 0
    again = await client.get(f"{WORKOUTS}/{created['id']}", headers=user.headers)
    assert again.status_code == 404


# Finish and reopen.


async def test_finish_sets_status_and_duration(client: httpx.AsyncClient, user: UserHandle) -> None:
    created = await create_workout(client, user, started_at="2026-11-20T17:30:00Z")
    response = await client.post(
        f"{WORKOUTS}/{created['id']}/finish",
        json={"finished_at": "2026-11-20T18:45:30Z"},
        headers=user.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "finished"
    assert body["finished_at"] == "2026-11-20T18:45:30Z"
    assert body["duration_seconds"] == 4530


async def test_finish_without_body_uses_now(client: httpx.AsyncClient, user: UserHandle) -> None:
    created = await create_workout(client, user)
    response = await client.post(f"{WORKOUTS}/{created['id']}/finish", headers=user.headers)
    assert response.status_code == 200
    finished_at = datetime.fromisoformat(response.json()["finished_at"])
    assert abs((finished_at - datetime.now(UTC)).total_seconds()) < 5


async def test_finishing_twice_is_409(client: httpx.AsyncClient, user: UserHandle) -> None:
    created = await create_workout(client, user)
    await client.post(f"{WORKOUTS}/{created['id']}/finish", headers=user.headers)
    again = await client.post(f"{WORKOUTS}/{created['id']}/finish", headers=user.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "workout_finished"


async def test_finish_before_start_is_422(client: httpx.AsyncClient, user: UserHandle) -> None:
    created = await create_workout(client, user, started_at="2026-11-20T17:30:00Z")
    response = await client.post(
        f"{WORKOUTS}/{created['id']}/finish",
        json={"finished_at": "2026-11-20T17:29:59Z"},
        headers=user.headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["loc"] == ["body", "finished_at"]
    still = (await client.get(f"{WORKOUTS}/{created['id']}", headers=user.headers)).json()
    assert still["status"] == "in_progress"


async def test_reopen_clears_finished_at(client: httpx.AsyncClient, user: UserHandle) -> None:
    created = await create_workout(client, user)
    await client.post(f"{WORKOUTS}/{created['id']}/finish", headers=user.headers)
    response = await client.post(f"{WORKOUTS}/{created['id']}/reopen", headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["finished_at"], body["duration_seconds"]) == (
        "in_progress",
        None,
        None,
    )
    open_again = await client.post(f"{WORKOUTS}/{created['id']}/reopen", headers=user.headers)
    assert open_again.status_code == 200


async def test_finished_workout_can_be_deleted(client: httpx.AsyncClient, user: UserHandle) -> None:
    created = await create_workout(client, user)
    await client.post(f"{WORKOUTS}/{created['id']}/finish", headers=user.headers)
    response = await client.delete(f"{WORKOUTS}/{created['id']}", headers=user.headers)
    assert response.status_code == 204


# Sets: values and ranges.


@pytest.mark.parametrize(
    "values",
    [
        {"weight_kg": 1000.01, "reps": 5},
        {"weight_kg": -1, "reps": 5},
        {"weight_kg": "80", "reps": 5},
        {"reps": 5.5},
        {"reps": "5"},
        {"reps": 1001},
        {"duration_seconds": 86_401},
        {"distance_m": 1_000_000.5},
        {"reps": 5, "rpe": 8.3},
        {"reps": 5, "rpe": 0.5},
        {"reps": 5, "rest_seconds": 10_801},
        {"reps": 5, "set_type": "superset"},
        {"reps": 5, "completed": "yes"},
        {"reps": 5, "notes": "x" * 501},
        {"weight_kg": 80},
        {},
    ],
)
async def test_set_values_out_of_range_are_422(
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    db: AsyncSession,
    values: dict[str, object],
) -> None:
    response = await client.post(
        WORKOUTS,
        json={
            "name": "Bad set",
            "exercises": [{"exercise_id": str(exercise_ids[0]), "sets": [values]}],
        },
        headers=user.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert await count(db, Workout) == 0


async def test_edge_values_are_accepted(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    sets = [
        {"weight_kg": 1000, "reps": 0, "rpe": 10, "rest_seconds": 10_800},
        {"weight_kg": 0.001, "reps": 1000, "rpe": 1, "set_type": "warmup", "completed": False},
        {"duration_seconds": 86_400, "distance_m": 1_000_000, "rpe": 7.5, "set_type": "drop"},
        {"distance_m": 0.25, "set_type": "failure", "notes": " last one "},
    ]
    body = await create_workout(
        client, user, exercises=[{"exercise_id": str(exercise_ids[0]), "sets": sets}]
    )
    stored = body["exercises"][0]["sets"]
    assert stored[0]["weight_kg"] == 1000
    assert stored[0]["reps"] == 0
    assert stored[1]["weight_kg"] == 0.001
    assert stored[1]["completed"] is False
    assert stored[2]["rpe"] == 7.5
    assert stored[3]["notes"] == "last one"
    read = (await client.get(f"{WORKOUTS}/{body['id']}", headers=user.headers)).json()
    assert read == body


async def test_weight_keeps_three_decimals(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    body = await create_workout(
        client,
        user,
        exercises=[{"exercise_id": str(exercise_ids[0]), "sets": [a_set(weight_kg=102.057)]}],
    )
    read = (await client.get(f"{WORKOUTS}/{body['id']}", headers=user.headers)).json()
    assert read["exercises"][0]["sets"][0]["weight_kg"] == 102.057


async def test_the_strict_openapi_check_refuses_an_unknown_key(
    client: httpx.AsyncClient, user: UserHandle, strict_openapi: StrictOpenAPI
) -> None:
    """The check every workout test runs on what it is served (conftest) can fail: a body with
    a key the document does not declare, or without one it requires, is refused."""
    body = await create_workout(client, user)
    path = f"{WORKOUTS}/{body['id']}"
    strict_openapi.check("GET", path, 200, "application/json", orjson.dumps(body))
    for wrong in ({**body, "extra": 1}, {key: v for key, v in body.items() if key != "name"}):
        with pytest.raises(AssertionError):
            strict_openapi.check("GET", path, 200, "application/json", orjson.dumps(wrong))
    nested = {**body, "exercises": [{"exercise_id": str(uuid.uuid4()), "typo": 1}]}
    with pytest.raises(AssertionError):
        strict_openapi.check("GET", path, 200, "application/json", orjson.dumps(nested))
