"""An export imported into a fresh account gives back the same history (both formats)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle, register_user
from tests.portability.helpers import EXPORT, stored_workouts, upload
from tests.portability.history import ExecutionSpec, SetSpec, WorkoutSpec, insert_history

SYSTEM = ["Bench Press", "Back Squat", "Deadlift", "Pull-Up", "Running", "Dumbbell Curl"]
CUSTOM = {
    "Zercher Squat": ("quads", "BARBELL"),
    "Bench Press (Dumbbell)": ("chest", "DUMBBELL"),  # looks like a tracker's name
    "Sled Push, heavy": ("other", "MACHINE"),
}

text = (
    st.text(
        alphabet=st.characters(
            categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x00\u2028\u2029\x85"
        )
        | st.sampled_from(["\n", ",", '"', ";", "💪"]),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
notes = st.none() | text


def two_decimals(maximum: int) -> st.SearchStrategy[float]:
    return st.integers(0, maximum * 100).map(lambda cents: cents / 100)


def grams(maximum: int) -> st.SearchStrategy[float]:
    """Kilograms to the gram, as weights are stored."""
    return st.integers(0, maximum * 1000).map(lambda grams: grams / 1000)


sets = st.builds(
    SetSpec,
    set_type=st.sampled_from(["warmup", "normal", "failure", "drop"]),
    weight_kg=st.none() | grams(1000),
    reps=st.integers(0, 1000),
    duration_seconds=st.none() | st.integers(0, 86_400),
    distance_m=st.none() | two_decimals(1_000_000),
    rpe=st.none() | st.integers(2, 20).map(lambda halves: halves / 2),
    rest_seconds=st.none() | st.integers(0, 10_800),
    completed=st.booleans(),
    notes=notes,
)


@st.composite
def executions(draw: st.DrawFn) -> list[ExecutionSpec]:
    names = draw(st.lists(st.sampled_from(SYSTEM + list(CUSTOM)), max_size=3, unique=True))
    return [
        ExecutionSpec(
            name,
            notes=draw(notes),
            sets=draw(st.lists(sets, max_size=3)),
            custom=CUSTOM.get(name),
        )
        for name in names
    ]


workouts = st.builds(
    WorkoutSpec,
    name=text,
    started_at=st.datetimes(
        min_value=datetime(2015, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    length=st.none() | st.integers(0, 200_000).map(lambda s: timedelta(seconds=s)),
    notes=notes,
    executions=executions(),
)


def comparable(trees: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored trees without provenance (the copy is marked as imported from IronLog)."""
    out = [{k: v for k, v in tree.items() if k not in {"source", "source_key"}} for tree in trees]
    return sorted(out, key=lambda tree: (tree["started_at"], repr(tree)))


@pytest.mark.anyio
@pytest.mark.parametrize("export_format", ["json", "csv"])
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(workouts, max_size=4))
async def test_export_then_import_gives_back_the_same_history(
    client: httpx.AsyncClient, db: AsyncSession, export_format: str, history: list[WorkoutSpec]
) -> None:
    original = await register_user(client)
    await insert_history(db, original.id, history)
    exported = await client.get(EXPORT, params={"format": export_format}, headers=original.headers)
    assert exported.status_code == 200

    copy = await register_user(client)
    response = await upload(
        client,
        copy,
        exported.content,
        filename=f"export.{export_format}",
        source=f"ironlog_{export_format}",
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["workouts_new"] == len(history)
    assert report["sets"] == sum(len(e.sets) for w in history for e in w.executions)
    assert comparable(await stored_workouts(db, copy.id)) == comparable(
        await stored_workouts(db, original.id)
    )

    # Both formats are detected, and importing again adds nothing.
    again = await upload(client, copy, exported.content)
    assert again.json()["source"] == f"ironlog_{export_format}"
    assert (again.json()["workouts_new"], again.json()["workouts_skipped_duplicate"]) == (
        0,
        len(history),
    )


async def test_importing_an_export_into_the_same_account_adds_nothing(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    await insert_history(
        db,
        user.id,
        [
            WorkoutSpec(
                "Legs",
                datetime(2025, 1, 1, tzinfo=UTC),
                executions=[ExecutionSpec("Back Squat", sets=[SetSpec(weight_kg=100.0)])],
            )
        ],
    )
    for export_format in ("json", "csv"):
        exported = await client.get(EXPORT, params={"format": export_format}, headers=user.headers)
        response = await upload(client, user, exported.content)
        assert response.status_code == 201
        assert response.json()["workouts_skipped_duplicate"] == 1
        assert response.json()["workouts_new"] == 0


async def test_json_import_keeps_the_provenance_of_imported_workouts(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, db: AsyncSession
) -> None:
    assert (await upload(client, user, "strong_full.csv", unit="lb")).status_code == 201
    exported = await client.get(EXPORT, headers=user.headers)
    assert (await upload(client, other_user, exported.content)).status_code == 201
    # The moved history still knows it came from Strong: the same Strong file adds nothing.
    again = await upload(client, other_user, "strong_full.csv", unit="lb")
    assert (again.json()["workouts_new"], again.json()["workouts_skipped_duplicate"]) == (0, 2)
    keys = [w["source_key"] for w in await stored_workouts(db, other_user.id)]
    assert keys == ["strong|2021-07-07T18:35:21|Push Day", "strong|2021-07-09T07:10:00|Leg Day"]


PREFERENCES = "/api/v1/users/me/preferences"


async def test_json_export_carries_the_preferences_back_into_a_new_account(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    chosen = {
        "weight_unit": "lb",
        "distance_unit": "mi",
        "timezone": "America/Los_Angeles",
        "week_starts_on": "sunday",
        "default_rest_seconds": 90,
        "bar_weight_kg": 20.412,
        "plates_kg": [20.412, 15.876, 11.34, 4.536, 2.268, 1.134],
    }
    assert (await client.patch(PREFERENCES, json=chosen, headers=user.headers)).status_code == 200
    exported = await client.get(EXPORT, params={"format": "json"}, headers=user.headers)
    assert exported.json()["preferences"] == chosen

    copy = await register_user(client)
    dry = await upload(client, copy, exported.content, filename="e.json", dry_run="true")
    assert dry.status_code == 200
    assert (await client.get(PREFERENCES, headers=copy.headers)).json()["timezone"] == "UTC"
    response = await upload(client, copy, exported.content)
    assert response.status_code == 201, response.text
    assert (await client.get(PREFERENCES, headers=copy.headers)).json() == chosen


async def test_json_import_ignores_unreadable_preferences_with_a_warning(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    document = {
        "format": "ironlog",
        "version": 1,
        "preferences": {"timezone": "Mars/Olympus_Mons", "weight_unit": "lb"},
        "exercises": [],
        "workouts": [],
    }
    response = await upload(client, user, orjson.dumps(document), filename="export.json")
    assert response.status_code == 201, response.text
    [warning] = response.json()["warnings"]
    assert warning["row"] is None
    assert warning["message"].startswith("preferences ignored: timezone")
    assert "unknown time zone" in warning["message"]
    assert (await client.get(PREFERENCES, headers=user.headers)).json()["weight_unit"] == "kg"
