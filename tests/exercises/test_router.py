import math
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.exercises import library, repository
from ironlog.exercises.names import name_key
from ironlog.models import Exercise, ExerciseExecution, Workout
from tests.conftest import QueryCounter, UserHandle, register_user
from tests.exercises.conftest import (
    EXERCISES,
    count_exercises,
    create_exercise,
    exercise_body,
    exercise_url,
)

BAD_TOKEN = {"Authorization": "Bearer not-a-jwt"}


async def _all_pages(
    client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None, **params: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        response = await client.get(
            url, params={**params, "page": page, "size": 100}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        if page >= body["pages"]:
            return items
        page += 1


async def _system_id(db: AsyncSession, name: str) -> uuid.UUID:
    exercise_id = await db.scalar(
        select(Exercise.id).where(Exercise.user_id.is_(None), Exercise.name == name)
    )
    assert exercise_id is not None
    return exercise_id


async def _stored(db: AsyncSession, exercise_id: object) -> Exercise | None:
    return await db.scalar(
        select(Exercise)
        .where(Exercise.id == uuid.UUID(str(exercise_id)))
        .execution_options(populate_existing=True)
    )


async def _use_in_workout(db: AsyncSession, user: UserHandle, exercise_id: object) -> None:
    workout = Workout(user_id=user.id, name="Push day", started_at=utc_now())
    db.add(workout)
    await db.flush()
    db.add(
        ExerciseExecution(
            workout_id=workout.id, exercise_id=uuid.UUID(str(exercise_id)), position=0
        )
    )
    await db.flush()


# --- search: visibility ---------------------------------------------------------------------


async def test_anonymous_search_shows_the_whole_system_library(
    client: httpx.AsyncClient, db: AsyncSession, library_entries: list[dict[str, Any]]
) -> None:
    items = await _all_pages(client, EXERCISES)
    assert len(items) >= 150
    assert all(item["is_system"] and item["user_id"] is None for item in items)
    assert len(items) == await count_exercises(db, Exercise.user_id.is_(None))
    assert {item["name"] for item in items} == {entry["name"] for entry in library_entries}


async def test_anonymous_search_never_shows_custom_exercises(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    await create_exercise(client, user, name="Zercher Carry Custom")
    response = await client.get(EXERCISES, params={"q": "zercher carry custom"})
    assert response.status_code == 200
    assert response.json()["total"] == 0


async def test_signed_in_search_adds_own_exercises_but_never_another_users(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    mine = await create_exercise(client, user, name="Custom Row Alpha")
    theirs = await create_exercise(client, other_user, name="Custom Row Beta")

    response = await client.get(EXERCISES, params={"q": "custom row"}, headers=user.headers)
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]
    response = await client.get(EXERCISES, params={"q": "custom row"}, headers=other_user.headers)
    assert [item["id"] for item in response.json()["items"]] == [theirs["id"]]

    everything = await _all_pages(client, EXERCISES, headers=user.headers)
    assert mine["id"] in {item["id"] for item in everything}
    assert theirs["id"] not in {item["id"] for item in everything}


async def test_search_with_an_invalid_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get(EXERCISES, headers=BAD_TOKEN)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"


# --- search: filters and order --------------------------------------------------------------


async def test_search_is_a_part_of_the_name_ignoring_case_when_a_name_holds_it(
    client: httpx.AsyncClient, library_entries: list[dict[str, Any]]
) -> None:
    items = await _all_pages(client, EXERCISES, q="  PRESS ")
    expected = {entry["name"] for entry in library_entries if "press" in entry["name"].lower()}
    assert {"Bench Press", "Push Press"} <= expected
    names = [item["name"] for item in items]
    assert set(names) == expected
    # Not through an alias ("French Press", "Press-Up") while names hold the query as typed.
    assert "Overhead Tricep Extension" not in names
    assert "Push-Up" not in names


async def test_search_matches_aliases_when_no_name_holds_the_query(
    client: httpx.AsyncClient, library_entries: list[dict[str, Any]]
) -> None:
    assert not any("french press" in entry["name"].lower() for entry in library_entries)
    items = await _all_pages(client, EXERCISES, q="French PRESS")
    aliased = [
        entry["name"]
        for entry in library_entries
        if "frenchpress" in library.entry_search_key(entry)
    ]
    assert aliased == ["Overhead Tricep Extension"]
    # The alias first; then, as it is the only match, names within a few typos ("bench press").
    assert items[0]["name"] == "Overhead Tricep Extension"


async def test_search_matches_names_ignoring_repeated_spaces_and_width(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(EXERCISES, params={"q": "ＢＥＮＣＨ   press"})
    names = [item["name"] for item in response.json()["items"]]
    assert "Bench Press" in names


async def test_search_takes_like_wildcards_literally(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    created = await create_exercise(client, user, name="100% Effort_Row")
    # Without a letter or a digit the query is a literal part of the name; with one, its
    # punctuation is ignored like the name's ("0% e" is "0e"): never a wildcard either way.
    for q, expected in (("%", [created["id"]]), ("_", [created["id"]]), ("0% e", [created["id"]])):
        response = await client.get(EXERCISES, params={"q": q}, headers=user.headers)
        assert [item["id"] for item in response.json()["items"]] == expected, q
    for q in ("0%w", "1_f", "%%%%"):
        response = await client.get(EXERCISES, params={"q": q}, headers=user.headers)
        assert response.json()["total"] == 0, q
    slashed = await create_exercise(client, user, name="Push/Pull Combo")
    response = await client.get(EXERCISES, params={"q": "h/pull"}, headers=user.headers)
    # The only match as typed; the typo pass adds the "pull..." ones after it.
    assert response.json()["items"][0]["id"] == slashed["id"]


async def test_search_filters_by_body_part_lower_cased(
    client: httpx.AsyncClient, library_entries: list[dict[str, Any]]
) -> None:
    items = await _all_pages(client, EXERCISES, body_part="  CHEST ")
    expected = [entry for entry in library_entries if entry["body_part"] == "chest"]
    assert len(items) == len(expected) > 0
    assert {item["body_part"] for item in items} == {"chest"}


async def test_search_filters_by_modality(
    client: httpx.AsyncClient, library_entries: list[dict[str, Any]]
) -> None:
    items = await _all_pages(client, EXERCISES, modality="CABLE")
    expected = [entry for entry in library_entries if entry["modality"] == "CABLE"]
    assert len(items) == len(expected) > 0
    assert {item["modality"] for item in items} == {"CABLE"}


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"modality": "barbell"}, "modality", "BARBELL"),
        ({"modality": " Cable "}, "modality", "CABLE"),
        ({"body_part": "Chest"}, "body_part", "chest"),
    ],
    ids=["lower-case-modality", "mixed-case-modality", "capitalised-body-part"],
)
async def test_search_filters_ignore_case(
    client: httpx.AsyncClient, params: dict[str, str], field: str, value: str
) -> None:
    items = await _all_pages(client, EXERCISES, **params)
    assert items
    assert {item[field] for item in items} == {value}


async def test_search_combines_filters(
    client: httpx.AsyncClient, library_entries: list[dict[str, Any]]
) -> None:
    items = await _all_pages(client, EXERCISES, q="curl", body_part="biceps", modality="DUMBBELL")
    expected = {
        entry["name"]
        for entry in library_entries
        if "curl" in entry["name"].lower()
        and entry["body_part"] == "biceps"
        and entry["modality"] == "DUMBBELL"
    }
    assert expected
    assert {item["name"] for item in items} == expected


@pytest.mark.parametrize(
    "params",
    [
        {"modality": "KETTLEBELL"},
        {"modality": "free weight"},
        {"q": "x" * 101},
        {"q": "a\x00b"},
        {"body_part": "x" * 51},
    ],
    ids=["unknown-modality", "spaced-modality", "long-q", "nul-in-q", "long-body-part"],
)
async def test_search_with_invalid_filters_is_422(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get(EXERCISES, params=params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_search_is_sorted_by_name_ignoring_case(
    client: httpx.AsyncClient, user: UserHandle, library_entries: list[dict[str, Any]]
) -> None:
    await create_exercise(client, user, name="aardvark crawl")
    await create_exercise(client, user, name="Zz last one")
    items = await _all_pages(client, EXERCISES, headers=user.headers)
    names = [item["name"] for item in items]
    expected = sorted(
        [entry["name"] for entry in library_entries] + ["aardvark crawl"], key=name_key
    )
    assert names[0] == "aardvark crawl"
    assert names[-1] == "Zz last one"
    assert names[:-1] == expected


async def test_search_breaks_name_ties_by_id(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    # Only a library update can make a system and a custom exercise share a name; arrange it.
    db.add(
        Exercise(
            user_id=user.id,
            name="bench press",
            name_key="bench press",
            body_part="chest",
            modality="BARBELL",
        )
    )
    await db.flush()
    response = await client.get(EXERCISES, params={"q": "bench press"}, headers=user.headers)
    tied = [item for item in response.json()["items"] if name_key(item["name"]) == "bench press"]
    assert len(tied) == 2
    assert [item["id"] for item in tied] == sorted(item["id"] for item in tied)


# --- paging ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{"size": 0}, {"size": 101}, {"page": 0}, {"page": -1}, {"size": "ten"}],
    ids=["size-0", "size-101", "page-0", "page-negative", "size-not-a-number"],
)
async def test_out_of_range_paging_is_422(
    client: httpx.AsyncClient, params: dict[str, object]
) -> None:
    for url in (EXERCISES, f"{EXERCISES}/system"):
        response = await client.get(url, params=params)
        assert response.status_code == 422, url
        assert response.json()["code"] == "validation_error"


async def test_page_metadata_counts_every_match(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    total = await count_exercises(db, Exercise.user_id.is_(None))
    response = await client.get(EXERCISES, params={"page": 2, "size": 7})
    body = response.json()
    assert body["total"] == total
    assert body["page"] == 2
    assert body["size"] == 7
    assert body["pages"] == math.ceil(total / 7)
    first = (await client.get(EXERCISES, params={"page": 1, "size": 14})).json()
    assert [item["id"] for item in body["items"]] == [item["id"] for item in first["items"][7:]]


async def test_page_past_the_end_is_empty(client: httpx.AsyncClient, db: AsyncSession) -> None:
    total = await count_exercises(db, Exercise.user_id.is_(None))
    response = await client.get(EXERCISES, params={"page": 1000, "size": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["items"] == []
    assert body["total"] == total
    assert body["pages"] == math.ceil(total / 100)


async def test_no_match_has_zero_pages(client: httpx.AsyncClient) -> None:
    response = await client.get(EXERCISES, params={"q": "no such exercise anywhere"})
    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 0, "page": 1, "size": 20, "pages": 0}


async def test_search_query_count_does_not_grow_with_page_size(
    client: httpx.AsyncClient, user: UserHandle, queries: QueryCounter
) -> None:
    counts = []
    for size in (1, 100):
        queries.reset()
        response = await client.get(EXERCISES, params={"size": size}, headers=user.headers)
        assert len(response.json()["items"]) == size
        counts.append(queries.count)
    assert counts[0] == counts[1]
    assert counts[0] == 1  # the page with its total, the token's session checked


async def test_typo_search_query_count_does_not_grow_with_page_size(
    client: httpx.AsyncClient, user: UserHandle, queries: QueryCounter
) -> None:
    counts = []
    for size in (1, 100):
        queries.reset()
        response = await client.get(
            EXERCISES, params={"q": "bnech press", "size": size}, headers=user.headers
        )
        assert response.json()["total"] > 1
        counts.append(queries.count)
    assert counts[0] == counts[1]
    assert counts[0] == 3  # the count (the session checked), the typo candidates, the page


# --- body parts, modalities, system, mine ---------------------------------------------------


async def test_body_parts_lists_the_library_vocabulary_sorted(
    client: httpx.AsyncClient, library_entries: list[dict[str, Any]]
) -> None:
    response = await client.get(f"{EXERCISES}/body-parts")
    assert response.status_code == 200
    assert response.json() == sorted({entry["body_part"] for entry in library_entries})


async def test_body_parts_include_the_callers_own_but_not_another_users(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    await create_exercise(client, user, name="Neck Curl", body_part="Neck")
    mine = (await client.get(f"{EXERCISES}/body-parts", headers=user.headers)).json()
    assert "neck" in mine
    assert mine == sorted(mine)
    assert "neck" not in (await client.get(f"{EXERCISES}/body-parts")).json()
    theirs = await client.get(f"{EXERCISES}/body-parts", headers=other_user.headers)
    assert "neck" not in theirs.json()


async def test_modalities_lists_the_five(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{EXERCISES}/modalities")
    assert response.status_code == 200
    assert response.json() == ["BARBELL", "DUMBBELL", "CABLE", "MACHINE", "BODYWEIGHT"]


async def test_system_lists_only_system_exercises(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    await create_exercise(client, user)
    items = await _all_pages(client, f"{EXERCISES}/system", headers=user.headers)
    assert len(items) == await count_exercises(db, Exercise.user_id.is_(None))
    assert all(item["is_system"] for item in items)
    assert [item["name"] for item in items] == sorted(
        (item["name"] for item in items), key=name_key
    )


async def test_my_exercises_lists_only_the_callers_own_sorted(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    second = await create_exercise(client, user, name="b Second")
    first = await create_exercise(client, user, name="A First")
    await create_exercise(client, other_user, name="Another's")
    response = await client.get(f"{EXERCISES}/my-exercises", headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [first["id"], second["id"]]
    assert (body["total"], body["pages"]) == (2, 1)


async def test_my_exercises_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{EXERCISES}/my-exercises")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


# --- get one --------------------------------------------------------------------------------


async def test_get_system_exercise_without_a_token(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    exercise_id = await _system_id(db, "Bench Press")
    response = await client.get(exercise_url(exercise_id))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(exercise_id)
    assert (body["name"], body["body_part"], body["modality"]) == (
        "Bench Press",
        "chest",
        "BARBELL",
    )
    assert body["is_system"] is True
    assert body["user_id"] is None


async def test_get_own_exercise_returns_the_documented_fields(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    created = await create_exercise(client, user)
    response = await client.get(exercise_url(created["id"]), headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "name",
        "body_part",
        "modality",
        "description",
        "is_system",
        "user_id",
        "created_at",
        "updated_at",
    }
    assert body == created
    assert body["user_id"] == str(user.id)
    assert body["is_system"] is False


async def test_get_another_users_exercise_is_404(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    created = await create_exercise(client, other_user)
    for headers in (user.headers, None):
        response = await client.get(exercise_url(created["id"]), headers=headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


async def test_get_unknown_exercise_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(exercise_url(uuid.uuid4()))
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_malformed_id_is_422(
    client: httpx.AsyncClient, user: UserHandle, method: str
) -> None:
    body = exercise_body() if method in {"PUT", "PATCH"} else None
    response = await client.request(
        method, exercise_url("not-a-uuid"), json=body, headers=user.headers
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert problem["errors"][0]["loc"] == ["path", "exercise_id"]


# --- create ---------------------------------------------------------------------------------


async def test_create_answers_201_with_location_and_stores_the_exercise(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await client.post(EXERCISES, json=exercise_body(), headers=user.headers)
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/v1/exercises/{body['id']}"
    assert body["name"] == "Tempo Pin Press"
    assert body["body_part"] == "shoulders"
    assert body["modality"] == "BARBELL"
    assert body["description"] == "Press the end of a barbell anchored in a corner."
    assert body["is_system"] is False
    assert body["user_id"] == str(user.id)
    stored = await _stored(db, body["id"])
    assert stored is not None
    assert stored.user_id == user.id
    assert stored.name == "Tempo Pin Press"
    assert stored.name_key == "tempo pin press"
    assert stored.created_at <= stored.updated_at


async def test_create_trims_the_name_and_lower_cases_the_body_part(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(
        client, user, name="  Tempo Pin   Press \t", body_part="  Upper BACK ", description="   "
    )
    assert created["name"] == "Tempo Pin   Press"
    assert created["body_part"] == "upper back"
    assert created["description"] is None
    stored = await _stored(db, created["id"])
    assert stored is not None
    assert (stored.name, stored.name_key, stored.body_part, stored.description) == (
        "Tempo Pin   Press",
        "tempo pin press",
        "upper back",
        None,
    )


async def test_create_accepts_the_maximum_lengths(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    created = await create_exercise(
        client, user, name="N" * 100, body_part="b" * 50, description="d" * 2000
    )
    assert (len(created["name"]), len(created["body_part"]), len(created["description"])) == (
        100,
        50,
        2000,
    )


async def test_create_without_a_token_is_401_and_stores_nothing(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    before = await count_exercises(db)
    response = await client.post(EXERCISES, json=exercise_body())
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert await count_exercises(db) == before


async def test_create_named_like_a_system_exercise_is_409(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await client.post(
        EXERCISES, json=exercise_body(name="  bench   PRESS "), headers=user.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "exercise_name_taken"
    assert await count_exercises(db, Exercise.user_id == user.id) == 0


async def test_create_named_like_an_own_exercise_is_409(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    await create_exercise(client, user, name="Tempo Pin Press")
    response = await client.post(
        EXERCISES, json=exercise_body(name="TEMPO PIN  press"), headers=user.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "exercise_name_taken"
    assert await count_exercises(db, Exercise.user_id == user.id) == 1


async def test_two_users_may_give_their_exercises_the_same_name(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, db: AsyncSession
) -> None:
    await create_exercise(client, user, name="Sled Push Variant")
    await create_exercise(client, other_user, name="sled push variant")
    assert await count_exercises(db, Exercise.name_key == "sled push variant") == 2


async def test_concurrent_duplicate_create_is_409_not_500(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_exercise(client, user, name="Race Row")

    # The other request inserted between this one's check and its insert.
    async def not_taken(*_args: object, **_kwargs: object) -> bool:
        return False

    monkeypatch.setattr(repository, "name_taken", not_taken)
    response = await client.post(
        EXERCISES, json=exercise_body(name="race row"), headers=user.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "exercise_name_taken"
    assert await count_exercises(db, Exercise.user_id == user.id) == 1


@pytest.mark.parametrize(
    "field",
    ["id", "user_id", "is_system", "created_at", "updated_at", "name_key"],
)
async def test_create_refuses_fields_clients_cannot_set(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, field: str
) -> None:
    value: object = True if field == "is_system" else str(uuid.uuid4())
    response = await client.post(
        EXERCISES, json=exercise_body(**{field: value}), headers=user.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", field]
    assert await count_exercises(db, Exercise.user_id == user.id) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": None},
        {"name": "Bench\x00Press"},
        {"name": "\x1c"},
        {"name": 42},
        {"body_part": ""},
        {"body_part": "x" * 51},
        {"body_part": "İ" * 30},
        {"modality": "KETTLEBELL"},
        {"modality": "barbell"},
        {"description": "x" * 2001},
    ],
    ids=[
        "empty-name",
        "blank-name",
        "long-name",
        "null-name",
        "nul-in-name",
        "invisible-name",
        "number-name",
        "empty-body-part",
        "long-body-part",
        "body-part-longer-once-lower-cased",
        "unknown-modality",
        "lower-case-modality",
        "long-description",
    ],
)
async def test_create_with_an_invalid_field_is_422(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, overrides: dict[str, object]
) -> None:
    response = await client.post(EXERCISES, json=exercise_body(**overrides), headers=user.headers)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert problem["errors"][0]["loc"][:2] == ["body", next(iter(overrides))]
    assert await count_exercises(db, Exercise.user_id == user.id) == 0


@pytest.mark.parametrize("missing", ["name", "body_part", "modality"])
async def test_create_without_a_required_field_is_422(
    client: httpx.AsyncClient, user: UserHandle, missing: str
) -> None:
    body = exercise_body()
    del body[missing]
    response = await client.post(EXERCISES, json=body, headers=user.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", missing]


async def test_create_without_a_body_is_422(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await client.post(EXERCISES, headers=user.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


# --- replace (PUT) --------------------------------------------------------------------------


async def test_put_replaces_every_field(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(client, user)
    response = await client.put(
        exercise_url(created["id"]),
        json={"name": " Half-Kneeling Press ", "body_part": "Delts", "modality": "DUMBBELL"},
        headers=user.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["body_part"], body["modality"], body["description"]) == (
        "Half-Kneeling Press",
        "delts",
        "DUMBBELL",
        None,
    )
    assert body["id"] == created["id"]
    assert body["created_at"] == created["created_at"]
    assert body["updated_at"] >= created["updated_at"]
    stored = await _stored(db, created["id"])
    assert stored is not None
    assert (stored.name, stored.name_key, stored.body_part, stored.description) == (
        "Half-Kneeling Press",
        "half-kneeling press",
        "delts",
        None,
    )


async def test_put_may_change_only_the_case_of_the_name(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    created = await create_exercise(client, user, name="tempo pin press")
    response = await client.put(
        exercise_url(created["id"]),
        json=exercise_body(name="Tempo Pin Press"),
        headers=user.headers,
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Tempo Pin Press"


@pytest.mark.parametrize("taken", ["BENCH PRESS", "my other one"])
async def test_put_to_a_taken_name_is_409(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, taken: str
) -> None:
    await create_exercise(client, user, name="My Other One")
    created = await create_exercise(client, user)
    response = await client.put(
        exercise_url(created["id"]), json=exercise_body(name=taken), headers=user.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "exercise_name_taken"
    stored = await _stored(db, created["id"])
    assert stored is not None
    assert stored.name == "Tempo Pin Press"


async def test_concurrent_rename_to_a_taken_name_is_409_not_500(
    client: httpx.AsyncClient, user: UserHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_exercise(client, user, name="Race Row")
    created = await create_exercise(client, user)

    async def not_taken(*_args: object, **_kwargs: object) -> bool:
        return False

    monkeypatch.setattr(repository, "name_taken", not_taken)
    response = await client.patch(
        exercise_url(created["id"]), json={"name": "RACE ROW"}, headers=user.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "exercise_name_taken"


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_changing_a_system_exercise_is_403_whatever_the_body(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, method: str
) -> None:
    exercise_id = await _system_id(db, "Bench Press")
    for body in (exercise_body(name="Mine Now"), {"name": ""}):
        response = await client.request(
            method, exercise_url(exercise_id), json=body, headers=user.headers
        )
        assert response.status_code == 403
        assert response.json()["code"] == "system_exercise_read_only"
    stored = await _stored(db, exercise_id)
    assert stored is not None
    assert (stored.name, stored.user_id) == ("Bench Press", None)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_changing_another_users_exercise_is_404_whatever_the_body(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    db: AsyncSession,
    method: str,
) -> None:
    created = await create_exercise(client, other_user)
    for body in (exercise_body(name="Stolen"), {"name": "", "unknown": 1}):
        response = await client.request(
            method, exercise_url(created["id"]), json=body, headers=user.headers
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    stored = await _stored(db, created["id"])
    assert stored is not None
    assert (stored.name, stored.user_id) == ("Tempo Pin Press", other_user.id)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_writes_without_a_token_are_401(
    client: httpx.AsyncClient, user: UserHandle, method: str
) -> None:
    created = await create_exercise(client, user)
    body = exercise_body() if method != "DELETE" else None
    response = await client.request(method, exercise_url(created["id"]), json=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_put_with_a_missing_field_is_422_and_changes_nothing(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(client, user)
    response = await client.put(
        exercise_url(created["id"]), json={"name": "Renamed"}, headers=user.headers
    )
    assert response.status_code == 422
    stored = await _stored(db, created["id"])
    assert stored is not None
    assert stored.name == "Tempo Pin Press"


# --- change (PATCH) -------------------------------------------------------------------------


async def test_patch_changes_only_the_fields_sent(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(client, user)
    response = await client.patch(
        exercise_url(created["id"]), json={"body_part": " TRAPS "}, headers=user.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["body_part"] == "traps"
    assert (body["name"], body["modality"], body["description"]) == (
        created["name"],
        created["modality"],
        created["description"],
    )
    stored = await _stored(db, created["id"])
    assert stored is not None
    assert (stored.name, stored.body_part, stored.description) == (
        "Tempo Pin Press",
        "traps",
        created["description"],
    )


async def test_patch_renames_and_refreshes_the_name_key(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(client, user)
    response = await client.patch(
        exercise_url(created["id"]), json={"name": "  Viking   Press "}, headers=user.headers
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Viking   Press"
    stored = await _stored(db, created["id"])
    assert stored is not None
    assert stored.name_key == "viking press"


async def test_patch_with_null_description_clears_it(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(client, user)
    response = await client.patch(
        exercise_url(created["id"]), json={"description": None}, headers=user.headers
    )
    assert response.status_code == 200
    assert response.json()["description"] is None
    stored = await _stored(db, created["id"])
    assert stored is not None
    assert stored.description is None


async def test_patch_with_an_empty_body_changes_nothing(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    created = await create_exercise(client, user)
    response = await client.patch(exercise_url(created["id"]), json={}, headers=user.headers)
    assert response.status_code == 200
    assert response.json() == created


@pytest.mark.parametrize("field", ["name", "body_part", "modality"])
async def test_patch_refuses_null_for_a_required_field(
    client: httpx.AsyncClient, user: UserHandle, field: str
) -> None:
    created = await create_exercise(client, user)
    response = await client.patch(
        exercise_url(created["id"]), json={field: None}, headers=user.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][:2] == ["body", field]


@pytest.mark.parametrize("field", ["user_id", "is_system", "id"])
async def test_patch_refuses_fields_clients_cannot_set(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    db: AsyncSession,
    field: str,
) -> None:
    created = await create_exercise(client, user)
    value: object = True if field == "is_system" else str(other_user.id)
    response = await client.patch(
        exercise_url(created["id"]), json={field: value}, headers=user.headers
    )
    assert response.status_code == 422
    stored = await _stored(db, created["id"])
    assert stored is not None
    assert (stored.id, stored.user_id) == (uuid.UUID(created["id"]), user.id)


async def test_patch_to_a_system_exercise_name_is_409(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    created = await create_exercise(client, user)
    response = await client.patch(
        exercise_url(created["id"]), json={"name": "deadlift"}, headers=user.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "exercise_name_taken"


# --- delete ---------------------------------------------------------------------------------


async def test_delete_own_exercise_is_204_and_removes_it(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(client, user)
    response = await client.delete(exercise_url(created["id"]), headers=user.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert await _stored(db, created["id"]) is None
    follow_up = await client.get(exercise_url(created["id"]), headers=user.headers)
    assert follow_up.status_code == 404


async def test_delete_system_exercise_is_403(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    exercise_id = await _system_id(db, "Deadlift")
    response = await client.delete(exercise_url(exercise_id), headers=user.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "system_exercise_read_only"
    assert await _stored(db, exercise_id) is not None


async def test_delete_another_users_exercise_is_404(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(client, other_user)
    response = await client.delete(exercise_url(created["id"]), headers=user.headers)
    assert response.status_code == 404
    assert await _stored(db, created["id"]) is not None


async def test_delete_exercise_used_in_a_workout_is_409(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(client, user)
    await _use_in_workout(db, user, created["id"])
    response = await client.delete(exercise_url(created["id"]), headers=user.headers)
    assert response.status_code == 409
    assert response.json()["code"] == "exercise_in_use"
    assert await _stored(db, created["id"]) is not None


async def test_delete_racing_a_new_use_is_409_not_500(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = await create_exercise(client, user)
    await _use_in_workout(db, user, created["id"])

    # The workout took the exercise between this request's check and its delete.
    async def not_used(*_args: object, **_kwargs: object) -> bool:
        return False

    monkeypatch.setattr(repository, "is_in_use", not_used)
    response = await client.delete(exercise_url(created["id"]), headers=user.headers)
    assert response.status_code == 409
    assert response.json()["code"] == "exercise_in_use"
    assert await _stored(db, created["id"]) is not None


async def test_deleted_name_can_be_used_again(client: httpx.AsyncClient, user: UserHandle) -> None:
    created = await create_exercise(client, user)
    await client.delete(exercise_url(created["id"]), headers=user.headers)
    again = await create_exercise(client, user)
    assert again["id"] != created["id"]


# --- the whole flow and the documentation ---------------------------------------------------


async def test_a_new_user_sees_the_library_and_only_their_exercises(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    await create_exercise(client, user, name="First Of Mine")
    newcomer = await register_user(client)
    mine = await client.get(f"{EXERCISES}/my-exercises", headers=newcomer.headers)
    assert mine.json()["total"] == 0
    search = await client.get(EXERCISES, params={"q": "first of mine"}, headers=newcomer.headers)
    assert search.json()["total"] == 0


async def test_openapi_documents_every_exercise_route(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    paths = {
        path: ops for path, ops in document["paths"].items() if path.startswith("/api/v1/exercises")
    }
    expected = {
        ("get", "/api/v1/exercises"),
        ("post", "/api/v1/exercises"),
        ("get", "/api/v1/exercises/body-parts"),
        ("get", "/api/v1/exercises/modalities"),
        ("get", "/api/v1/exercises/system"),
        ("get", "/api/v1/exercises/my-exercises"),
        ("get", "/api/v1/exercises/{exercise_id}"),
        ("put", "/api/v1/exercises/{exercise_id}"),
        ("patch", "/api/v1/exercises/{exercise_id}"),
        ("delete", "/api/v1/exercises/{exercise_id}"),
    }
    assert {(method, path) for path, ops in paths.items() for method in ops} == expected
    for path, ops in paths.items():
        for method, operation in ops.items():
            assert operation["summary"], (method, path)
            assert operation["description"], (method, path)
            assert operation["tags"] == ["exercises"]
    item = "/api/v1/exercises/{exercise_id}"

    def codes(method: str, path: str, status: str) -> str:
        return str(paths[path][method]["responses"][status]["description"])

    assert "exercise_name_taken" in codes("post", "/api/v1/exercises", "409")
    for method in ("put", "patch", "delete"):
        assert "system_exercise_read_only" in codes(method, item, "403")
        assert "not_found" in codes(method, item, "404")
        assert "not_authenticated" in codes(method, item, "401")
    assert "exercise_in_use" in codes("delete", item, "409")
    schemas = document["components"]["schemas"]
    for name in ("ExerciseCreate", "ExerciseUpdate", "ExerciseRead"):
        assert schemas[name]["example"], name
