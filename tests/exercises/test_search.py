"""Search finds what lifters type: aliases, any spelling of a name, the best match first, typos.

docs/exercises.md describes the folding and the ranks these tests pin down.
"""

from typing import Any

import httpx
import pytest
from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.text import search_key
from ironlog.exercises import repository
from ironlog.models import Exercise
from tests.conftest import UserHandle, register_user
from tests.exercises.conftest import EXERCISES, create_exercise, exercise_url


async def _search(
    client: httpx.AsyncClient, q: str, headers: dict[str, str] | None = None, **params: Any
) -> dict[str, Any]:
    response = await client.get(EXERCISES, params={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _names(
    client: httpx.AsyncClient, q: str, headers: dict[str, str] | None = None, **params: Any
) -> list[str]:
    body = await _search(client, q, headers, size=100, **params)
    return [item["name"] for item in body["items"]]


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("pull up", "Pull-Up"),
        ("pullup", "Pull-Up"),
        ("PULL-UPS", "Pull-Up"),
        ("chin up", "Chin-Up"),
        ("chin", "Chin-Up"),
        ("ohp", "Overhead Press"),
        ("military press", "Overhead Press"),
        ("rdl", "Romanian Deadlift"),
        ("sldl", "Stiff-Leg Deadlift"),
        ("bss", "Bulgarian Split Squat"),
        ("skull crushers", "Skull Crusher"),
        ("skullcrusher", "Skull Crusher"),
        ("db bench press", "Dumbbell Bench Press"),
        ("bb row", "Bent-Over Row"),
        ("squats", "Back Squat"),
        ("farmers walk", "Farmer's Walk"),
        ("dumbbell flyes", "Dumbbell Fly"),
        ("triceps pushdown", "Tricep Pushdown"),
        ("plie squat", "Sumo Squat"),
        ("PLIÉ", "Sumo Squat"),
        ("nordic curl", "Nordic Hamstring Curl"),
        ("hex bar", "Trap Bar Deadlift"),
        # Typos, when little matches as typed.
        ("bnech press", "Bench Press"),
        ("deadlfit", "Deadlift"),
        ("sqaut", "Back Squat"),
        ("lat puldown", "Lat Pulldown"),
    ],
)
async def test_search_finds_what_lifters_type_first(
    client: httpx.AsyncClient, q: str, first: str
) -> None:
    names = await _names(client, q)
    assert names, q
    assert names[0] == first, (q, names[:5])


async def test_chin_ranks_chin_up_before_the_machines(client: httpx.AsyncClient) -> None:
    names = await _names(client, "chin")
    assert names[0] == "Chin-Up"
    machines = [name for name in names if name.startswith("Machine")]
    assert machines  # "machine" contains "chin": they match, after it
    assert names.index("Chin-Up") < min(names.index(name) for name in machines)


async def test_search_ranks_exact_then_prefix_then_word_then_substring_ties_by_name(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    for name in ("Xq Glorp", "Glorpish", "Glorp Beta", "Glorp", "Glorp Alpha", "Bigglorp"):
        await create_exercise(client, user, name=name)
    names = await _names(client, "glorp", user.headers)
    assert names == ["Glorp", "Glorp Alpha", "Glorp Beta", "Glorpish", "Xq Glorp", "Bigglorp"]


async def test_ranked_search_keeps_its_order_and_total_across_pages(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    for name in ("Xq Glorp", "Glorpish", "Glorp Beta", "Glorp", "Glorp Alpha", "Bigglorp"):
        await create_exercise(client, user, name=name)
    everything = await _names(client, "glorp", user.headers)
    paged: list[str] = []
    for page in (1, 2, 3):
        body = await _search(client, "glorp", user.headers, page=page, size=2)
        assert (body["total"], body["pages"]) == (6, 3)
        paged += [item["name"] for item in body["items"]]
    assert paged == everything


async def test_a_name_that_holds_the_query_as_typed_hides_the_forgiving_matches(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    for name in ("Glorp Plus", "Glorq", "Big Glorq", "Glarp Zed", "Glorp-Tail"):
        await create_exercise(client, user, name=name)
    assert await _names(client, "glorp", user.headers) == ["Glorp Plus", "Glorp-Tail"]
    # "glorp tail" is in no name as typed: folded, it finds the hyphenated one.
    assert await _names(client, "GLORP tail", user.headers) == ["Glorp-Tail"]


async def test_typos_come_after_the_matches_whole_names_first(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    for name in ("Glorp Plus", "Glorq", "Big Glorq", "Glarp Zed"):
        await create_exercise(client, user, name=name)
    # No name holds "glorps" as typed; folded (one glorp), "Glorp Plus" matches, then "Glorq"
    # (one typo from the whole name), then the names with a word one typo away, by name.
    body = await _search(client, "glorps", user.headers)
    assert [item["name"] for item in body["items"]] == [
        "Glorp Plus",
        "Glorq",
        "Big Glorq",
        "Glarp Zed",
    ]
    assert body["total"] == 4


async def test_short_queries_and_many_matches_skip_the_typo_pass(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    await create_exercise(client, user, name="Zqx Drill")
    assert await _names(client, "zqy", user.headers) == []  # under 4 letters: no typo allowed
    names = await _names(client, "curl", user.headers)
    assert all("curl" in search_key([name]) for name in names[:20]), names
    assert "Turkish Get-Up" not in names  # one typo from "turk", but "curl" matches enough


async def test_typo_pass_never_shows_another_users_exercise(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    other = await register_user(client, "other-typo@example.com")
    await create_exercise(client, other, name="Glorq")
    assert await _names(client, "glorp", user.headers) == []
    assert await _names(client, "glorp") == []
    assert await _names(client, "glorp", other.headers) == ["Glorq"]


async def test_typo_pass_respects_the_filters(client: httpx.AsyncClient) -> None:
    assert await _names(client, "bnech press", modality="barbell", body_part="Chest") == [
        "Bench Press",
        "Decline Bench Press",
        "Incline Bench Press",
    ]


async def test_custom_exercise_is_found_by_any_spelling_and_after_a_rename(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await create_exercise(client, user, name="Zercher Good-Mornings")
    assert await _names(client, "zercher good morning", user.headers) == [created["name"]]
    response = await client.patch(
        exercise_url(created["id"]), json={"name": "Jefferson Curls"}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    assert await _names(client, "zercher", user.headers) == []
    assert await _names(client, "jefferson curl", user.headers) == ["Jefferson Curls"]
    stored = await db.scalar(select(Exercise.search_key).where(Exercise.name == "Jefferson Curls"))
    assert stored == "|jeffersoncurl| curl"


async def test_aliases_are_not_in_the_exercise_json(client: httpx.AsyncClient) -> None:
    body = await _search(client, "ohp")
    assert set(body["items"][0]) == {
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


@pytest.mark.parametrize("q", ["romanain deadlift", "bnech press", "sqaut", "acble", "ujmp"])
async def test_typo_prefilter_drops_no_match(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, q: str
) -> None:
    # "acble" and "ujmp" swap the first two letters ("cable", "jump"): the edit that spoils the
    # most of a query's start.
    filtered = await _search(client, q, size=100)
    monkeypatch.setattr(repository, "holds_typo_bigrams", lambda _count: true())
    assert await _search(client, q, size=100) == filtered
    assert filtered["items"], q
