"""Supersets and routines in imports and exports: Hevy's superset_id, IronLog's own formats."""

import csv
import io
import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import Exercise
from ironlog.portability.formats.ironlog_csv import HEADER
from tests.conftest import UserHandle, register_user
from tests.portability.helpers import EXPORT, upload

WORKOUTS = "/api/v1/workouts"
ROUTINES = "/api/v1/routines"
FOLDERS = "/api/v1/routine-folders"


async def workouts_of(client: httpx.AsyncClient, user: UserHandle) -> list[dict[str, Any]]:
    page = (await client.get(WORKOUTS, params={"size": 100}, headers=user.headers)).json()
    return sorted(page["items"], key=lambda item: item["started_at"])


async def test_hevy_superset_id_groups_adjacent_executions(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await upload(client, user, "hevy_supersets.csv")
    assert response.status_code == 201, response.text
    arms, legs = await workouts_of(client, user)
    # Bench press; curl + pushdown; lateral raise + face pull; squat (a lone superset_id is
    # no superset).
    assert len(arms["exercises"]) == 6
    assert [e["superset"] for e in arms["exercises"]] == [None, 0, 0, 1, 1, None]
    # Superset 3 is split by another exercise: dropped.
    assert [e["superset"] for e in legs["exercises"]] == [None, None, None]


async def _build_account(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> dict[str, Any]:
    custom = await client.post(
        "/api/v1/exercises",
        json={"name": "Log Press", "body_part": "shoulders", "modality": "BARBELL"},
        headers=user.headers,
    )
    folder = (await client.post(FOLDERS, json={"name": "Strength"}, headers=user.headers)).json()
    await client.post(FOLDERS, json={"name": "Empty"}, headers=user.headers)
    routine_body = {
        "name": "Press day",
        "notes": "Heavy",
        "folder_id": folder["id"],
        "exercises": [
            {
                "exercise_id": custom.json()["id"],
                "rest_seconds": 120,
                "superset": 5,
                "progression": {"increment_kg": 2.5},
                "sets": [{"weight_kg": 70.125, "rep_range": {"min": 5, "max": 8}}],
            },
            {
                "exercise_id": str(exercise_ids[0]),
                "superset": 5,
                "sets": [{"set_type": "warmup", "reps": 10}, {"duration_seconds": 30}],
            },
        ],
    }
    routine = await client.post(ROUTINES, json=routine_body, headers=user.headers)
    assert routine.status_code == 201, routine.text
    started = await client.post(f"{ROUTINES}/{routine.json()['id']}/start", headers=user.headers)
    assert started.status_code == 201
    await client.post(f"{WORKOUTS}/{started.json()['id']}/finish", headers=user.headers)
    return routine.json()


def routine_shape(routine: dict[str, Any], folders: dict[str, str]) -> dict[str, Any]:
    return {
        "name": routine["name"],
        "notes": routine["notes"],
        "folder": folders.get(routine["folder_id"]),
        "position": routine["position"],
        "exercises": [
            {key: value for key, value in e.items() if key not in ("exercise_id", "exercise")}
            | {"name": e["exercise"]["name"]}
            for e in routine["exercises"]
        ],
    }


async def test_json_export_carries_routines_and_imports_back(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    system = (
        await db.scalars(select(Exercise.id).where(Exercise.user_id.is_(None)).limit(1))
    ).all()
    original = await _build_account(client, user, list(system))
    exported = (await client.get(EXPORT, headers=user.headers)).json()
    assert [f["name"] for f in exported["routine_folders"]] == ["Strength", "Empty"]
    assert exported["routines"] == [original]
    [workout] = exported["workouts"]
    assert workout["routine_id"] == original["id"]
    assert [e["superset"] for e in workout["exercises"]] == [5, 5]

    newcomer = await register_user(client)
    content = (await client.get(EXPORT, headers=user.headers)).content
    response = await upload(client, newcomer, content, filename="export.json")
    assert response.status_code == 201, response.text
    assert response.json()["warnings"] == []
    folders = (await client.get(FOLDERS, headers=newcomer.headers)).json()["items"]
    assert [(f["name"], f["position"]) for f in folders] == [("Strength", 0), ("Empty", 1)]
    [copy] = (await client.get(ROUTINES, headers=newcomer.headers)).json()["items"]
    assert copy["id"] != original["id"]
    assert routine_shape(copy, {folders[0]["id"]: "Strength"}) == routine_shape(
        original, {original["folder_id"]: "Strength"}
    )
    [imported] = await workouts_of(client, newcomer)
    assert imported["routine_id"] == copy["id"]
    assert [e["superset"] for e in imported["exercises"]] == [5, 5]
    # Importing the same file again adds no routine, folder or workout.
    again = await upload(client, newcomer, content, filename="export.json")
    assert again.status_code == 201
    assert (await client.get(ROUTINES, headers=newcomer.headers)).json()["total"] == 1
    assert (await client.get(FOLDERS, headers=newcomer.headers)).json()["total"] == 2


async def test_csv_export_keeps_its_fixed_header_and_reads_a_superset_column(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    system = (
        await db.scalars(select(Exercise.id).where(Exercise.user_id.is_(None)).limit(1))
    ).all()
    await _build_account(client, user, list(system))
    text = (await client.get(EXPORT, params={"format": "csv"}, headers=user.headers)).text
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == HEADER  # supersets and routines travel in the JSON export
    # A file that carries a `superset` column (another tool, an edited export) groups them.
    edited = io.StringIO()
    writer = csv.writer(edited, lineterminator="\n")
    writer.writerow([*rows[0], "superset"])
    writer.writerows([*row, "5"] for row in rows[1:])
    newcomer = await register_user(client)
    response = await upload(client, newcomer, edited.getvalue().encode(), filename="export.csv")
    assert response.status_code == 201, response.text
    [imported] = await workouts_of(client, newcomer)
    assert [e["superset"] for e in imported["exercises"]] == [5, 5]
    assert imported["routine_id"] is None  # the routine is not in a CSV export
