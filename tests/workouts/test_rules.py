"""Rules that cut across the workout routes: ownership, finished protection, ETags, idempotency,
atomic multi-row writes and a constant number of queries."""

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth.dependencies import get_claimed_read, get_creator, get_public_read
from ironlog.models import IdempotencyKey, Workout, WorkoutSet
from tests.conftest import QueryCounter, UserHandle
from tests.workouts.conftest import WORKOUTS, a_set, create_workout, tree

# Each mutating route, as (method, path template, body). {w} is the workout, {e} its first
# exercise, {x} an exercise not in it, {s} the first set.
MUTATIONS: list[tuple[str, str, Any]] = [
    ("PUT", "{w}", {"name": "Replaced"}),
    ("PATCH", "{w}", {"name": "Renamed"}),
    ("POST", "{w}/finish", None),
    ("POST", "{w}/exercises", {"exercise_id": "{x}"}),
    ("PUT", "{w}/exercises/order", {"exercise_ids": ["{e}"]}),
    ("PATCH", "{w}/exercises/{e}", {"notes": "x"}),
    ("DELETE", "{w}/exercises/{e}", None),
    ("POST", "{w}/exercises/{e}/sets", {"reps": 5}),
    ("PATCH", "{w}/exercises/{e}/sets/{s}", {"reps": 6}),
    ("DELETE", "{w}/exercises/{e}/sets/{s}", None),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in MUTATIONS]


def fill(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
        return template
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    return template


@pytest.fixture
async def workout(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> dict[str, Any]:
    return await create_workout(client, user, exercises=tree(exercise_ids[:1], sets_each=2))


def names(workout: dict[str, Any], exercise_ids: list[uuid.UUID]) -> dict[str, str]:
    return {
        "w": f"{WORKOUTS}/{workout['id']}",
        "e": str(exercise_ids[0]),
        "x": str(exercise_ids[1]),
        "s": workout["exercises"][0]["sets"][0]["id"],
    }


@pytest.mark.parametrize(("method", "path", "body"), MUTATIONS, ids=ROUTE_IDS)
async def test_finished_workout_refuses_every_change(
    client: httpx.AsyncClient,
    user: UserHandle,
    workout: dict[str, Any],
    exercise_ids: list[uuid.UUID],
    method: str,
    path: str,
    body: Any,
) -> None:
    values = names(workout, exercise_ids)
    await client.post(f"{values['w']}/finish", headers=user.headers)
    before = (await client.get(values["w"], headers=user.headers)).json()
    response = await client.request(
        method, fill(path, values), json=fill(body, values), headers=user.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "workout_finished"
    assert (await client.get(values["w"], headers=user.headers)).json() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "{w}", None), ("DELETE", "{w}", None), ("POST", "{w}/reopen", None), *MUTATIONS],
    ids=["GET {w}", "DELETE {w}", "POST {w}/reopen", *ROUTE_IDS],
)
async def test_another_users_workout_is_404_on_every_route(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    workout: dict[str, Any],
    exercise_ids: list[uuid.UUID],
    method: str,
    path: str,
    body: Any,
) -> None:
    values = names(workout, exercise_ids)
    before = (await client.get(values["w"], headers=user.headers)).json()
    url = fill(path, values)
    valid = await client.request(method, url, json=fill(body, values), headers=other_user.headers)
    assert valid.status_code == 404
    assert valid.json()["code"] == "not_found"
    if body is not None:  # ownership is checked before the body
        invalid = await client.request(method, url, json={"bogus": 1}, headers=other_user.headers)
        assert invalid.status_code == 404
    assert (await client.get(values["w"], headers=user.headers)).json() == before


async def test_finished_workout_is_unchanged_by_reopen_then_editable(
    client: httpx.AsyncClient, user: UserHandle, workout: dict[str, Any]
) -> None:
    path = f"{WORKOUTS}/{workout['id']}"
    await client.post(f"{path}/finish", headers=user.headers)
    await client.post(f"{path}/reopen", headers=user.headers)
    response = await client.patch(path, json={"name": "Fixed"}, headers=user.headers)
    assert response.status_code == 200


# ETags.


async def test_etag_changes_with_every_change_to_the_tree(
    client: httpx.AsyncClient,
    user: UserHandle,
    workout: dict[str, Any],
    exercise_ids: list[uuid.UUID],
) -> None:
    w = f"{WORKOUTS}/{workout['id']}"
    first, second = str(exercise_ids[0]), str(exercise_ids[1])
    set_id = workout["exercises"][0]["sets"][0]["id"]
    steps: list[tuple[str, str, Any]] = [
        ("PATCH", w, {"name": "Renamed"}),
        ("POST", f"{w}/exercises", {"exercise_id": second}),
        ("PUT", f"{w}/exercises/order", {"exercise_ids": [second, first]}),
        ("PATCH", f"{w}/exercises/{first}", {"notes": "x"}),
        ("POST", f"{w}/exercises/{first}/sets", {"reps": 5}),
        ("PATCH", f"{w}/exercises/{first}/sets/{set_id}", {"reps": 6}),
        ("DELETE", f"{w}/exercises/{first}/sets/{set_id}", None),
        ("DELETE", f"{w}/exercises/{second}", None),
        ("PUT", w, {"name": "Replaced", "exercises": [{"exercise_id": first}]}),
        ("POST", f"{w}/finish", None),
        ("POST", f"{w}/reopen", None),
    ]
    seen = {(await client.get(w, headers=user.headers)).headers["etag"]}
    for method, path, body in steps:
        response = await client.request(method, path, json=body, headers=user.headers)
        assert response.status_code < 300, (method, path, response.text)
        etag = (await client.get(w, headers=user.headers)).headers["etag"]
        assert etag not in seen, (method, path)
        seen.add(etag)


async def test_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, user: UserHandle, workout: dict[str, Any]
) -> None:
    path = f"{WORKOUTS}/{workout['id']}"
    etag = (await client.get(path, headers=user.headers)).headers["etag"]
    first = await client.patch(
        path, json={"name": "First"}, headers={**user.headers, "If-Match": etag}
    )
    assert first.status_code == 200
    for method, body in (
        ("PATCH", {"name": "Second"}),
        ("PUT", {"name": "Second"}),
        ("DELETE", None),
    ):
        stale = await client.request(
            method, path, json=body, headers={**user.headers, "If-Match": etag}
        )
        assert stale.status_code == 412, method
        assert stale.json()["code"] == "precondition_failed"
    assert (await client.get(path, headers=user.headers)).json()["name"] == "First"


async def test_matching_if_match_is_honoured(
    client: httpx.AsyncClient, user: UserHandle, workout: dict[str, Any]
) -> None:
    path = f"{WORKOUTS}/{workout['id']}"
    etag = (await client.get(path, headers=user.headers)).headers["etag"]
    for make_header in (lambda tag: tag, lambda tag: f'"other", {tag}', lambda _tag: "*"):
        response = await client.patch(
            path, json={"notes": "x"}, headers={**user.headers, "If-Match": make_header(etag)}
        )
        assert response.status_code == 200
        etag = response.headers["etag"]
    weak = await client.delete(path, headers={**user.headers, "If-Match": f"W/{etag}"})
    assert weak.status_code == 412
    deleted = await client.delete(path, headers={**user.headers, "If-Match": etag})
    assert deleted.status_code == 204


# Idempotency.


async def test_same_key_and_body_replays_the_first_response(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    body = {"name": "Offline push", "exercises": tree(exercise_ids[:2])}
    headers = {**user.headers, "Idempotency-Key": "retry-1"}
    first = await client.post(WORKOUTS, json=body, headers=headers)
    reordered = dict(reversed(list(body.items())))
    second = await client.post(WORKOUTS, json=reordered, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert "idempotent-replayed" not in first.headers
    assert await db.scalar(select(func.count()).select_from(Workout)) == 1


async def test_same_key_with_another_body_is_422(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    headers = {**user.headers, "Idempotency-Key": "retry-2"}
    await client.post(WORKOUTS, json={"name": "One"}, headers=headers)
    response = await client.post(WORKOUTS, json={"name": "Two"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert await db.scalar(select(func.count()).select_from(Workout)) == 1


async def test_failed_request_does_not_store_its_key(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    headers = {**user.headers, "Idempotency-Key": "retry-3"}
    bad = await client.post(WORKOUTS, json={"name": ""}, headers=headers)
    assert bad.status_code == 422
    unknown = await client.post(
        WORKOUTS, json={"name": "X", "exercises": tree([uuid.uuid4()])}, headers=headers
    )
    assert unknown.json()["code"] == "unknown_exercise"
    assert await db.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    good = await client.post(WORKOUTS, json={"name": "Fixed"}, headers=headers)
    assert good.status_code == 201
    assert "idempotent-replayed" not in good.headers


async def test_keys_are_scoped_to_the_user(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, db: AsyncSession
) -> None:
    for owner in (user, other_user):
        response = await client.post(
            WORKOUTS, json={"name": "Same"}, headers={**owner.headers, "Idempotency-Key": "k"}
        )
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
    assert await db.scalar(select(func.count()).select_from(Workout)) == 2


async def test_key_works_on_nested_posts(
    client: httpx.AsyncClient,
    user: UserHandle,
    workout: dict[str, Any],
    exercise_ids: list[uuid.UUID],
    db: AsyncSession,
) -> None:
    path = f"{WORKOUTS}/{workout['id']}/exercises/{exercise_ids[0]}/sets"
    headers = {**user.headers, "Idempotency-Key": "set-1"}
    first = await client.post(path, json=a_set(reps=9), headers=headers)
    second = await client.post(path, json=a_set(reps=9), headers=headers)
    assert second.json() == first.json()
    count = await db.scalar(
        select(func.count()).select_from(WorkoutSet).where(WorkoutSet.reps == 9)
    )
    assert count == 1


async def test_oversized_key_is_422(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await client.post(
        WORKOUTS, json={"name": "X"}, headers={**user.headers, "Idempotency-Key": "k" * 256}
    )
    assert response.status_code == 422


# Queries per request.


async def test_reading_a_workout_costs_the_same_queries_whatever_its_size(
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    queries: QueryCounter,
) -> None:
    small = await create_workout(client, user, exercises=tree(exercise_ids[:1], sets_each=1))
    large = await create_workout(client, user, exercises=tree(exercise_ids[:6], sets_each=4))
    counts = []
    for workout_id in (small["id"], large["id"]):
        queries.reset()
        await client.get(f"{WORKOUTS}/{workout_id}", headers=user.headers)
        counts.append(queries.count)
    assert counts[0] == counts[1] == 1  # the tree, the session check folded in


async def test_listing_costs_the_same_queries_whatever_the_page_holds(
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    queries: QueryCounter,
) -> None:
    await create_workout(client, user, exercises=tree(exercise_ids[:1], sets_each=1))
    queries.reset()
    await client.get(WORKOUTS, headers=user.headers)
    one = queries.count
    for _ in range(5):
        await create_workout(client, user, exercises=tree(exercise_ids[:6], sets_each=4))
    queries.reset()
    await client.get(WORKOUTS, headers=user.headers)
    assert queries.count == one == 1  # the page's trees, the total and the session check


async def test_an_empty_list_costs_two_queries(
    client: httpx.AsyncClient, user: UserHandle, queries: QueryCounter
) -> None:
    response = await client.get(WORKOUTS, headers=user.headers)
    assert response.json() == {"items": [], "total": 0, "page": 1, "size": 20, "pages": 0}
    assert queries.count == 2  # the empty page, then the total and the session check


async def test_a_page_past_the_end_has_the_total(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    await create_workout(client, user, exercises=tree(exercise_ids[:1], sets_each=1))
    response = await client.get(WORKOUTS, params={"page": 3}, headers=user.headers)
    assert response.json() == {"items": [], "total": 1, "page": 3, "size": 20, "pages": 1}


@pytest.mark.parametrize("read", ["one", "list", "empty list", "foreign"])
async def test_reads_refuse_an_ended_session(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    exercise_ids: list[uuid.UUID],
    read: str,
) -> None:
    """The session check folded into the read statement still refuses a signed-out token (401),
    whether or not the statement finds the workout; a live session still gets 404 for another
    user's workout."""
    owner = other_user if read in {"empty list", "foreign"} else user
    created = await create_workout(client, owner, exercises=tree(exercise_ids[:2], sets_each=2))
    path = WORKOUTS if "list" in read else f"{WORKOUTS}/{created['id']}"
    if read == "foreign":
        assert (await client.get(path, headers=user.headers)).status_code == 404
    response = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})
    assert response.status_code == 204
    response = await client.get(path, headers=user.headers)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "query", [{"page": "0"}, {"from": "2026-11-10", "to": "2026-11-01"}, {"status": "x"}]
)
async def test_a_list_refused_for_its_query_is_401_for_an_ended_session(
    client: httpx.AsyncClient, user: UserHandle, query: dict[str, str]
) -> None:
    """A list whose query is invalid (422 while signed in) is 401 once signed out: the session
    check its statement would have made runs before any refusal."""
    response = await client.get(WORKOUTS, params=query, headers=user.headers)
    assert response.status_code == 422
    response = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})
    assert response.status_code == 204
    response = await client.get(WORKOUTS, params=query, headers=user.headers)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_creating_a_tree_costs_the_same_queries_whatever_its_size(
    backend: str,
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    queries: QueryCounter,
) -> None:
    counts = []
    for size in (1, 6):
        queries.reset()
        await create_workout(client, user, exercises=tree(exercise_ids[:size], sets_each=size))
        counts.append(queries.count)
    # On PostgreSQL ONE statement: the exercises' check, the change number with the session
    # check, the tree's three tables and the statistics' summaries (the executions', and the
    # exercises' merged in an upsert). On SQLite the exercises, the change number, one insert
    # per table and the exercises' merge.
    assert counts == ([1, 1] if backend == "postgresql" else [7, 7])


# Atomic multi-row writes.


@pytest.fixture
async def refuse_set_notes(db: AsyncSession, backend: str) -> Callable[[], None]:
    """Make the database refuse a set whose notes are 'refuse me', like a failing disk would."""
    if backend == "sqlite":
        await db.execute(
            text(
                "CREATE TEMP TRIGGER refuse_set BEFORE INSERT ON workout_set "
                "WHEN NEW.notes = 'refuse me' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
    else:
        await db.execute(
            text(
                "CREATE FUNCTION pg_temp.refuse_set() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN IF NEW.notes = 'refuse me' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$"
            )
        )
        await db.execute(
            text(
                "CREATE TRIGGER refuse_set BEFORE INSERT ON workout_set "
                "FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_set()"
            )
        )
    return lambda: None


async def test_create_that_fails_half_way_leaves_nothing(
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    db: AsyncSession,
    refuse_set_notes: Callable[[], None],
) -> None:
    exercises = tree(exercise_ids[:3], sets_each=2)
    exercises[2]["sets"][1]["notes"] = "refuse me"
    response = await client.post(
        WORKOUTS, json={"name": "Doomed", "exercises": exercises}, headers=user.headers
    )
    assert response.status_code == 500
    assert "refused" not in response.text  # no internals reach the client
    assert await db.scalar(select(func.count()).select_from(Workout)) == 0
    assert await db.scalar(select(func.count()).select_from(WorkoutSet)) == 0


async def test_replace_that_fails_half_way_keeps_the_old_tree(
    client: httpx.AsyncClient,
    user: UserHandle,
    workout: dict[str, Any],
    exercise_ids: list[uuid.UUID],
    refuse_set_notes: Callable[[], None],
) -> None:
    path = f"{WORKOUTS}/{workout['id']}"
    exercises = tree(exercise_ids[2:5], sets_each=2)
    exercises[1]["sets"][0]["notes"] = "refuse me"
    response = await client.put(
        path, json={"name": "Doomed", "exercises": exercises}, headers=user.headers
    )
    assert response.status_code == 500
    assert (await client.get(path, headers=user.headers)).json() == workout


def test_only_read_only_routes_skip_the_session_dependency(app: FastAPI) -> None:
    """A route that takes the token's claims unchecked (`Reader`) must fold the session check
    into its statement; only read-only routes may, so no write runs for an ended session. The
    one writer that folds it into its first statement is the workout create (`Creator`)."""
    readers, creators = [], []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        if _depends_on(route.dependant, get_claimed_read) or _depends_on(
            route.dependant, get_public_read
        ):
            assert getattr(route.endpoint, "__ironlog_read_only__", False), context.path
            readers.append((context.path, *route.methods))
        if _depends_on(route.dependant, get_creator):
            creators.append((context.path, *route.methods))
    assert sorted(readers) == [
        ("/api/v1/body-measurements", "GET"),
        ("/api/v1/body-measurements/{measurement_date}", "GET"),
        ("/api/v1/exercises", "GET"),
        ("/api/v1/exercises/body-parts", "GET"),
        ("/api/v1/exercises/my-exercises", "GET"),
        ("/api/v1/exercises/{exercise_id:id}", "GET"),
        ("/api/v1/routine-folders", "GET"),
        ("/api/v1/routine-folders/{folder_id:id}", "GET"),
        ("/api/v1/routines", "GET"),
        ("/api/v1/routines/{routine_id:id}", "GET"),
        ("/api/v1/sync", "GET"),
        ("/api/v1/users/me", "GET"),
        ("/api/v1/users/me/preferences", "GET"),
        ("/api/v1/users/me/records", "GET"),
        ("/api/v1/users/me/stats", "GET"),
        ("/api/v1/workouts", "GET"),
        ("/api/v1/workouts/{workout_id}", "GET"),
    ]
    assert creators == [("/api/v1/workouts", "POST")]


@pytest.mark.parametrize("idempotency_key", [None, "k-1"])
async def test_create_refuses_an_ended_session_and_writes_nothing(
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    db: AsyncSession,
    idempotency_key: str | None,
) -> None:
    response = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})
    assert response.status_code == 204
    headers = {**user.headers, **({"Idempotency-Key": idempotency_key} if idempotency_key else {})}
    body = {"name": "Late", "exercises": tree(exercise_ids[:2], sets_each=2)}
    response = await client.post(WORKOUTS, json=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    # A body refused by a rule (an unknown exercise) is still a 401 for an ended session.
    unknown = {"name": "Late", "exercises": tree([uuid.uuid4()], sets_each=1)}
    response = await client.post(WORKOUTS, json=unknown, headers=headers)
    assert response.status_code == 401
    assert await db.scalar(select(func.count()).select_from(Workout)) == 0
    assert await db.scalar(select(func.count()).select_from(WorkoutSet)) == 0


def _depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(sub.call is call or _depends_on(sub, call) for sub in dependant.dependencies)
