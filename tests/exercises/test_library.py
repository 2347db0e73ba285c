from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.text import SEARCH_KEY_MAX, fold
from ironlog.exercises import library
from ironlog.exercises.names import name_key
from ironlog.exercises.schemas import ExerciseCreate
from ironlog.models import Exercise
from tests.conftest import UserHandle
from tests.exercises.conftest import count_exercises, create_exercise

SYSTEM = Exercise.user_id.is_(None)


def test_library_has_at_least_150_entries_that_obey_the_exercise_rules(
    library_entries: list[dict[str, Any]],
) -> None:
    assert len(library_entries) >= 150
    keys = [name_key(entry["name"]) for entry in library_entries]
    assert len(set(keys)) == len(keys), "two library names share a name key"
    for entry in library_entries:
        validated = ExerciseCreate.model_validate(
            {field: value for field, value in entry.items() if field != "aliases"}
        )
        assert validated.name == entry["name"], entry
        assert validated.body_part == entry["body_part"], entry
        assert validated.description, entry


async def test_loading_twice_adds_the_missing_ones_then_nothing(db: AsyncSession) -> None:
    total = await count_exercises(db, SYSTEM)
    await db.execute(delete(Exercise).where(SYSTEM, Exercise.name == "Arnold Press"))

    assert await library.load(db) == 1
    assert await library.load(db) == 0
    assert await count_exercises(db, SYSTEM) == total
    assert await count_exercises(db, SYSTEM, Exercise.name == "Arnold Press") == 1


async def test_loading_a_grown_library_adds_the_new_entry_and_leaves_users_alone(
    client: httpx.AsyncClient,
    user: UserHandle,
    db: AsyncSession,
    library_entries: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The user made "Kettlebell Halo" before the library shipped one of that name.
    created = await create_exercise(
        client, user, name="kettlebell halo", body_part="Shoulders", description="My own cue."
    )
    mine_before = await db.scalar(select(Exercise).where(Exercise.user_id == user.id))
    assert mine_before is not None
    snapshot = (mine_before.name, mine_before.body_part, mine_before.updated_at)
    total = await count_exercises(db, SYSTEM)
    new_entry = {
        "name": "Kettlebell Halo",
        "body_part": "shoulders",
        "modality": "DUMBBELL",
        "description": "Circle a kettlebell around the head, elbows close.",
    }
    monkeypatch.setattr(library, "read_library", lambda: [*library_entries, new_entry])

    assert await library.load(db) == 1

    assert await count_exercises(db, SYSTEM) == total + 1
    system = await db.scalar(select(Exercise).where(SYSTEM, Exercise.name == "Kettlebell Halo"))
    assert system is not None
    assert (system.name_key, system.modality) == ("kettlebell halo", "DUMBBELL")
    mine = await db.scalar(
        select(Exercise)
        .where(Exercise.user_id == user.id)
        .execution_options(populate_existing=True)
    )
    assert mine is not None
    assert str(mine.id) == created["id"]
    assert (mine.name, mine.body_part, mine.updated_at) == snapshot
    assert mine.description == "My own cue."
    assert await library.load(db) == 0


def test_aliases_name_one_exercise_each(library_entries: list[dict[str, Any]]) -> None:
    owner: dict[str, str] = {}
    for entry in library_entries:
        for name in (entry["name"], *entry.get("aliases", [])):
            form = fold(name)
            assert form, name
            assert owner.setdefault(form, entry["name"]) == entry["name"], (name, owner[form])
        assert len(library.entry_search_key(entry)) < SEARCH_KEY_MAX // 2, entry["name"]


async def test_loading_refreshes_stale_search_keys_and_nothing_else(db: AsyncSession) -> None:
    bench = await db.scalar(select(Exercise).where(SYSTEM, Exercise.name == "Overhead Press"))
    assert bench is not None
    assert "|ohp|" in bench.search_key
    bench.search_key = "|overheadpress|"  # as the migration leaves it, before any alias
    await db.flush()
    stamp = bench.updated_at

    assert await library.load(db) == 0

    refreshed = await db.scalar(
        select(Exercise).where(Exercise.id == bench.id).execution_options(populate_existing=True)
    )
    assert refreshed is not None
    assert "|ohp|" in refreshed.search_key
    assert refreshed.updated_at == stamp
