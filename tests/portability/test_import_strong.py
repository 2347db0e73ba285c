"""Strong's exports, every header generation and quirk, through POST /imports."""

from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle
from tests.portability.helpers import (
    count_own_exercises,
    count_sets,
    count_workouts,
    stored_workouts,
    upload,
    values,
)

SET_FIELDS = ("set_type", "weight_kg", "reps", "rpe", "rest_seconds")


async def test_strong_full_header_in_pounds(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "strong_full.csv", unit="lb")
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["source"] == "strong"
    assert report["dry_run"] is False
    assert report["workouts_new"] == 2
    assert report["workouts_skipped_duplicate"] == 0
    assert report["sets"] == 12
    assert [(m["source_name"], m["name"]) for m in report["exercises_matched"]] == [
        ("Bench Press (Barbell)", "Bench Press"),
        ("Bench Press (Dumbbell)", "Dumbbell Bench Press"),
        ("Squat (Smith Machine)", "Smith Machine Squat"),
        ("Pull Up (Assisted)", "Assisted Pull-Up"),
        ("Running", "Running"),
    ]
    assert [(m["source_name"], m["name"]) for m in report["exercises_created"]] == [
        ("Zercher Squat (Barbell)", "Zercher Squat (Barbell)")
    ]
    messages = {(w["row"], w["message"]) for w in report["warnings"]}
    assert (
        10,
        "workout 'Leg Day' lasted 48h 40m (kept as recorded; it was probably left running)",
    ) in messages
    assert any(row == 9 and "appears again" in message for row, message in messages)

    push, legs = await stored_workouts(db, user.id)
    # Leading spaces of the name are trimmed; the local time is read in UTC (the default).
    assert push["name"] == "Push Day"
    assert push["notes"] == "Good session"
    assert push["status"] == "finished"
    assert push["started_at"] == datetime(2021, 7, 7, 18, 35, 21, tzinfo=UTC)
    assert push["finished_at"] == datetime(2021, 7, 7, 19, 40, 21, tzinfo=UTC)
    assert push["source"] == "strong"
    assert push["source_key"] == "strong|2021-07-07T18:35:21|Push Day"
    bench, dumbbell = push["exercises"]
    assert (bench["name"], bench["position"]) == ("Bench Press", 0)
    # The second, non-adjacent Bench Press block joined the first execution, in order.
    assert bench["notes"] == "Felt strong\nBack-off"
    assert values(bench["sets"], *SET_FIELDS) == [
        ("warmup", 43.091, 10, None, None),
        ("normal", 83.915, 5, 8.0, 120),  # the Rest Timer row
        ("normal", 83.915, 5, 8.5, None),
        ("failure", 83.915, 3, 10.0, None),
        ("normal", 61.235, 12, None, None),
    ]
    assert [item["position"] for item in bench["sets"]] == [0, 1, 2, 3, 4]
    assert all(item["completed"] for item in bench["sets"])
    assert (dumbbell["name"], dumbbell["position"]) == ("Dumbbell Bench Press", 1)
    assert values(dumbbell["sets"], *SET_FIELDS) == [
        ("normal", 27.216, 10, None, None),
        ("drop", 18.144, 12, None, None),
    ]

    assert legs["finished_at"] == datetime(2021, 7, 11, 7, 50, tzinfo=UTC)
    names = [(e["name"], e["modality"], e["body_part"], e["system"]) for e in legs["exercises"]]
    assert names == [
        ("Smith Machine Squat", "MACHINE", "quads", True),
        ("Zercher Squat (Barbell)", "BARBELL", "other", False),
        ("Assisted Pull-Up", "MACHINE", "back", True),
        ("Running", "BODYWEIGHT", "cardio", True),
    ]
    running = legs["exercises"][3]["sets"][0]
    assert (running["distance_m"], running["duration_seconds"]) == (4988.97, 1520)


async def test_reimport_adds_nothing(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    first = await upload(client, user, "strong_full.csv", unit="lb")
    assert first.status_code == 201
    again = await upload(client, user, "strong_full.csv", unit="lb")
    assert again.status_code == 201
    report = again.json()
    assert (report["workouts_new"], report["workouts_skipped_duplicate"], report["sets"]) == (
        0,
        2,
        0,
    )
    assert report["exercises_created"] == []
    assert await count_workouts(db, user.id) == 2
    assert await count_sets(db, user.id) == 12
    assert await count_own_exercises(db, user.id) == 1


async def test_same_workout_twice_in_one_file_is_skipped(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    from tests.portability.helpers import FILES

    text = (FILES / "strong_full.csv").read_text()
    header, _, rows = text.partition("\n")
    response = await upload(client, user, f"{header}\n{rows}{rows}".encode(), unit="lb")
    assert response.status_code == 201
    assert response.json()["workouts_new"] == 2
    assert response.json()["workouts_skipped_duplicate"] == 2
    assert await count_sets(db, user.id) == 12


async def test_dry_run_changes_nothing(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "strong_full.csv", unit="lb", dry_run="true")
    assert response.status_code == 200
    report = response.json()
    assert report["dry_run"] is True
    assert (report["workouts_new"], report["sets"]) == (2, 12)
    assert report["exercises_created"] == [
        {
            "source_name": "Zercher Squat (Barbell)",
            "exercise_id": None,
            "name": "Zercher Squat (Barbell)",
        }
    ]
    assert len(report["exercises_matched"]) == 5
    assert await count_workouts(db, user.id) == 0
    assert await count_own_exercises(db, user.id) == 0


async def test_old_header_without_duration_leaves_workouts_in_progress(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "strong_old.csv")
    assert response.status_code == 201, response.text
    assert response.json()["exercises_created"][0]["name"] == "Curl, Hammer (Dumbbell)"
    (workout,) = await stored_workouts(db, user.id)
    assert (workout["status"], workout["finished_at"]) == ("in_progress", None)
    deadlift, plank, curl = workout["exercises"]
    assert deadlift["name"] == "Deadlift"
    assert values(deadlift["sets"], "weight_kg", "reps") == [(140.0, 5), (150.0, 3)]
    assert values(plank["sets"], "weight_kg", "reps", "duration_seconds") == [(None, None, 60)]
    assert (curl["modality"], curl["body_part"]) == ("DUMBBELL", "other")


async def test_newer_header_with_bom_no_final_newline_and_a_timezone(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "strong_new_bom.csv", timezone="Europe/Berlin")
    assert response.status_code == 201, response.text
    (workout,) = await stored_workouts(db, user.id)
    assert workout["started_at"] == datetime(2024, 3, 10, 17, 0, tzinfo=UTC)
    assert workout["finished_at"] == datetime(2024, 3, 10, 17, 31, tzinfo=UTC)
    # The key keeps the file's wall-clock time, whatever the timezone.
    assert workout["source_key"] == "strong|2024-03-10T18:00:00|Evening"
    press, raise_ = workout["exercises"]
    assert press["name"] == "Overhead Press"
    assert values(press["sets"], "weight_kg", "reps", "rpe") == [(50.0, 5, 7.0)]
    assert raise_["name"] == "Lateral Raise"
    assert values(raise_["sets"], "set_type", "weight_kg", "reps", "rpe") == [
        ("warmup", 5.0, 15, None),
        ("failure", 10.0, 12, 9.5),
    ]


async def test_semicolon_variant_with_units_in_the_header(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    # `unit=lb` is ignored: the header says kilograms.
    response = await upload(client, user, "strong_semicolon.csv", unit="lb")
    assert response.status_code == 201, response.text
    upper, lower = await stored_workouts(db, user.id)
    assert upper["finished_at"] == datetime(2023, 5, 1, 7, 30, tzinfo=UTC)
    pulldown, rower = upper["exercises"]
    assert pulldown["name"] == "Lat Pulldown"
    # Float artefacts are rounded to the gram.
    assert values(pulldown["sets"], "weight_kg", "reps") == [(59.9, 10), (65.181, 8)]
    assert rower["name"] == "Rowing Machine"
    assert values(rower["sets"], "distance_m", "duration_seconds") == [(2000.0, 480)]
    (press,) = lower["exercises"]
    assert (press["name"], press["notes"]) == ("Leg Press", "Seat 5")
    assert values(press["sets"], "weight_kg", "reps") == [(140.5, 12)]
