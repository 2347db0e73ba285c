"""GET /export: the whole account, streamed, and nobody else's."""

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.portability.formats.ironlog_csv import HEADER
from tests.conftest import UserHandle
from tests.portability.helpers import EXPORT, upload
from tests.portability.history import ExecutionSpec, SetSpec, WorkoutSpec, insert_history

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

CSV_HEADER = HEADER


def sample_history() -> list[WorkoutSpec]:
    return [
        WorkoutSpec(
            name="Push, heavy",
            started_at=START,
            length=timedelta(minutes=70),
            notes='Said "wow"\nthen left',
            executions=[
                ExecutionSpec(
                    "Bench Press",
                    notes="Pause reps",
                    sets=[
                        SetSpec("warmup", 60.0, 10),
                        SetSpec("normal", 100.5, 5, rpe=8.5, rest_seconds=180),
                    ],
                ),
                ExecutionSpec("Zercher Squat", custom=("quads", "BARBELL")),
            ],
        ),
        WorkoutSpec(name="Empty", started_at=START + timedelta(days=1)),
        WorkoutSpec(
            name="Run",
            started_at=START + timedelta(days=2),
            executions=[
                ExecutionSpec(
                    "Running", sets=[SetSpec(distance_m=5000.25, reps=None, duration_seconds=1500)]
                )
            ],
        ),
    ]


async def test_json_export_holds_the_whole_account(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    await insert_history(db, user.id, sample_history())
    response = await client.get(EXPORT, params={"format": "json"}, headers=user.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith('attachment; filename="ironlog-')
    body = response.json()
    assert (body["format"], body["version"]) == ("ironlog", 1)
    assert body["user"]["id"] == str(user.id)
    assert body["user"]["email"] == user.email
    assert [e["name"] for e in body["exercises"]] == ["Zercher Squat"]
    assert body["exercises"][0]["is_system"] is False
    push, empty, run = body["workouts"]
    assert push["name"] == "Push, heavy"
    assert push["status"] == "finished"
    assert push["started_at"] == "2025-03-01T09:00:00Z"
    assert push["finished_at"] == "2025-03-01T10:10:00Z"
    assert push["duration_seconds"] == 4200
    bench, zercher = push["exercises"]
    assert bench["exercise"]["name"] == "Bench Press"
    assert bench["exercise"]["modality"] == "BARBELL"
    assert bench["notes"] == "Pause reps"
    assert bench["sets"][1] == {
        "id": bench["sets"][1]["id"],
        "position": 1,
        "set_type": "normal",
        "weight_kg": 100.5,
        "reps": 5,
        "duration_seconds": None,
        "distance_m": None,
        "rpe": 8.5,
        "rest_seconds": 180,
        "completed": True,
        "notes": None,
    }
    assert (zercher["position"], zercher["sets"]) == (1, [])
    assert (empty["exercises"], empty["status"], empty["duration_seconds"]) == (
        [],
        "in_progress",
        None,
    )
    assert run["exercises"][0]["sets"][0]["distance_m"] == 5000.25


async def test_csv_export_has_one_row_per_set(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    await insert_history(db, user.id, sample_history())
    response = await client.get(EXPORT, params={"format": "csv"}, headers=user.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.text)))
    assert ",".join(rows[0]) == (
        "workout_id,workout_name,started_at,finished_at,workout_notes,exercise_name,body_part,"
        "modality,exercise_position,execution_notes,set_position,set_type,weight_kg,reps,"
        "duration_seconds,distance_m,rpe,rest_seconds,completed,set_notes"
    )
    data = [dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]]
    # 2 bench sets, Zercher without sets (1 row), the empty workout (1 row), 1 running set.
    assert len(data) == 5
    assert data[1]["workout_notes"] == 'Said "wow"\nthen left'
    assert (data[1]["set_position"], data[1]["weight_kg"], data[1]["rpe"]) == ("1", "100.5", "8.5")
    assert (data[1]["rest_seconds"], data[1]["completed"]) == ("180", "true")
    zercher = data[2]
    assert (zercher["exercise_name"], zercher["body_part"], zercher["modality"]) == (
        "Zercher Squat",
        "quads",
        "BARBELL",
    )
    assert zercher["set_position"] == zercher["set_type"] == zercher["reps"] == ""
    assert (data[3]["workout_name"], data[3]["exercise_name"]) == ("Empty", "")
    assert data[4]["distance_m"] == "5000.25"


async def test_another_users_data_is_never_exported(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, db: AsyncSession
) -> None:
    await insert_history(db, other_user.id, sample_history())
    assert (await upload(client, other_user, "strong_full.csv")).status_code == 201
    body = (await client.get(EXPORT, headers=user.headers)).json()
    assert body["user"]["id"] == str(user.id)
    assert (body["exercises"], body["workouts"]) == ([], [])
    text = (await client.get(EXPORT, params={"format": "csv"}, headers=user.headers)).text
    assert text.strip() == ",".join(CSV_HEADER)


async def test_export_pages_through_many_workouts(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    # More workouts than one batch, some sharing a start time (the keyset's tie-break on id).
    history = [
        WorkoutSpec(
            name=f"W{n}",
            started_at=START + timedelta(hours=n // 2),
            executions=[ExecutionSpec("Deadlift", sets=[SetSpec(reps=n % 7)])],
        )
        for n in range(600)
    ]
    await insert_history(db, user.id, history)
    body = (await client.get(EXPORT, headers=user.headers)).json()
    assert len(body["workouts"]) == 600
    assert len({w["id"] for w in body["workouts"]}) == 600
    starts = [w["started_at"] for w in body["workouts"]]
    assert starts == sorted(starts)
    rows = (await client.get(EXPORT, params={"format": "csv"}, headers=user.headers)).text
    assert len(rows.strip().split("\n")) == 601


async def test_export_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get(EXPORT)).status_code == 401


@pytest.mark.parametrize("value", ["xml", ""])
async def test_unknown_export_format_is_422(
    client: httpx.AsyncClient, user: UserHandle, value: str
) -> None:
    response = await client.get(EXPORT, params={"format": value}, headers=user.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
