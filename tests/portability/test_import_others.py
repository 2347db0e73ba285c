"""Hevy and FitNotes exports, through POST /imports."""

from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle
from tests.portability.helpers import stored_workouts, upload, values


async def test_hevy_kilograms_emoji_titles_and_set_types(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "hevy_kg.csv")
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["source"], report["workouts_new"], report["sets"]) == ("hevy", 2, 6)
    assert [(m["source_name"], m["name"]) for m in report["exercises_matched"]] == [
        ("Bench Press (Barbell)", "Bench Press"),
        ("Triceps Pushdown (Cable)", "Tricep Pushdown"),
        ("Running", "Running"),
    ]
    assert report["exercises_created"] == []
    push, run = await stored_workouts(db, user.id)
    assert (push["name"], push["notes"]) == ("Push 💪🔥", "Chest focus")
    assert push["started_at"] == datetime(2024, 11, 21, 13, 24, tzinfo=UTC)
    assert push["finished_at"] == datetime(2024, 11, 21, 14, 31, tzinfo=UTC)
    assert push["source_key"] == "hevy|2024-11-21T13:24:00|Push 💪🔥"
    bench, pushdown = push["exercises"]
    assert bench["notes"] == "Pause reps"
    assert values(bench["sets"], "set_type", "weight_kg", "reps", "rpe") == [
        ("warmup", 60.0, 10, None),
        ("normal", 100.0, 5, 8.0),
        ("failure", 100.0, 3, 10.0),
    ]
    assert values(pushdown["sets"], "set_type", "weight_kg", "reps") == [
        ("normal", 30.5, 12),
        ("drop", 20.0, 10),
    ]
    assert run["name"] == "Morning Run 🏃"
    assert values(run["exercises"][0]["sets"], "distance_m", "duration_seconds") == [(5020.0, 1800)]


async def test_hevy_pounds_and_miles(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "hevy_mixed_units.csv", timezone="America/New_York")
    assert response.status_code == 201, response.text
    (workout,) = await stored_workouts(db, user.id)
    assert workout["started_at"] == datetime(2024, 12, 3, 23, 0, tzinfo=UTC)
    squat, walk = workout["exercises"]
    assert squat["name"] == "Back Squat"
    # 225 lb, to the gram.
    assert values(squat["sets"], "weight_kg", "reps") == [(102.058, 5), (102.058, 5)]
    assert walk["name"] == "Walking"
    assert values(walk["sets"], "distance_m", "duration_seconds") == [(2414.02, 1200)]


async def test_hevy_kilograms_with_miles_in_one_header(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "hevy_kg_miles.csv")
    assert response.status_code == 201, response.text
    (workout,) = await stored_workouts(db, user.id)
    treadmill, plank, pull_up = workout["exercises"]
    assert treadmill["name"] == "Treadmill Run"
    assert values(treadmill["sets"], "distance_m", "duration_seconds") == [(4988.97, 1560)]
    assert values(plank["sets"], "duration_seconds", "reps") == [(60, None)]
    assert pull_up["name"] == "Pull-Up"
    assert values(pull_up["sets"], "weight_kg", "reps") == [(10.0, 6)]


async def test_fitnotes_old_header_in_pounds(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "fitnotes_old.csv")
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["source"], report["workouts_new"], report["sets"]) == ("fitnotes", 2, 4)
    # FitNotes's names are the library's aliases: nothing new is created.
    assert report["exercises_created"] == []
    matched = {m["source_name"]: m["name"] for m in report["exercises_matched"]}
    assert matched == {
        "Flat Barbell Bench Press": "Bench Press",
        "Rope Push Down": "Rope Pushdown",
        "Treadmill": "Treadmill Run",
    }
    chest, cardio = await stored_workouts(db, user.id)
    # One workout per date, named from its categories, at noon local time, without an end.
    assert chest["name"] == "Chest & Triceps"
    assert chest["started_at"] == datetime(2018, 6, 1, 12, 0, tzinfo=UTC)
    assert (chest["status"], chest["finished_at"]) == ("in_progress", None)
    assert chest["source_key"] == "fitnotes|2018-06-01"
    bench, pushdown = chest["exercises"]
    assert (bench["modality"], pushdown["modality"]) == ("BARBELL", "CABLE")
    assert values(bench["sets"], "weight_kg", "reps") == [(61.235, 10), (70.307, 8)]
    assert values(pushdown["sets"], "weight_kg", "reps") == [(22.68, 12)]
    assert cardio["name"] == "Cardio"
    (treadmill,) = cardio["exercises"]
    assert treadmill["modality"] == "MACHINE"
    assert values(treadmill["sets"], "distance_m", "duration_seconds") == [(3218.69, 1200)]


async def test_fitnotes_new_header_units_per_row_and_a_shifted_comma(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "fitnotes_new.csv", timezone="Europe/Paris")
    assert response.status_code == 201, response.text
    report = response.json()
    assert {
        "row": 4,
        "message": "an unquoted comma in a name shifted the row; it was read as one name",
    } in report["warnings"]
    assert [m["name"] for m in report["exercises_created"]] == ["Curl, Barbell"]
    back, cardio = await stored_workouts(db, user.id)
    assert back["name"] == "Back & Biceps & Abs"
    assert back["started_at"] == datetime(2020, 2, 10, 11, 0, tzinfo=UTC)
    deadlift, curl, plank = back["exercises"]
    assert values(deadlift["sets"], "weight_kg", "reps", "notes") == [
        (180.0, 5, "Belt on"),
        (183.705, 1, None),
    ]
    assert (curl["name"], curl["modality"]) == ("Curl, Barbell", "BARBELL")
    assert values(curl["sets"], "weight_kg", "reps") == [(40.0, 10)]
    assert values(plank["sets"], "duration_seconds") == [(90,)]
    assert values(cardio["exercises"][0]["sets"], "distance_m", "duration_seconds") == [
        (2000.0, 561)
    ]


async def test_fitnotes_row_that_cannot_be_split_is_reported(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await upload(client, user, "fitnotes_unsplittable.csv")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_invalid"
    assert body["errors"] == [
        {
            "row": 3,
            "message": "the row has 10 cells for 9 columns (an unquoted comma?) and cannot be "
            "split unambiguously",
        }
    ]
