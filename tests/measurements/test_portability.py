"""Body measurements in IronLog's JSON export and back through its import."""

from typing import Any

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import BodyMeasurement
from tests.conftest import UserHandle, register_user
from tests.measurements.conftest import EMPTY, URL, put, values
from tests.portability.helpers import EXPORT, upload


async def export_json(client: httpx.AsyncClient, user: UserHandle) -> dict[str, Any]:
    response = await client.get(EXPORT, params={"format": "json"}, headers=user.headers)
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def document(*entries: dict[str, Any]) -> bytes:
    body = {"format": "ironlog", "version": 1, "exercises": [], "workouts": []}
    return orjson.dumps({**body, "body_measurements": list(entries)})


async def dates_of(db: AsyncSession, user: UserHandle) -> dict[str, float | None]:
    rows = await db.execute(
        select(BodyMeasurement.measurement_date, BodyMeasurement.weight_kg)
        .where(BodyMeasurement.user_id == user.id)
        .order_by(BodyMeasurement.measurement_date)
    )
    return {day.isoformat(): weight for day, weight in rows}


async def test_export_lists_entries_oldest_first_as_the_api_shows_them(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    await put(client, user, "2026-11-20", weight_kg=102.05828, waist=84.5, notes="am")
    await put(client, user, "2026-11-01", body_fat_pct=17.25)
    await put(client, other_user, "2026-11-10", weight_kg=60)
    exported = await export_json(client, user)
    listed = (await client.get(URL, headers=user.headers)).json()["items"]
    assert exported["body_measurements"] == list(reversed(listed))
    first, second = exported["body_measurements"]
    assert (first["date"], values(first)) == ("2026-11-01", {**EMPTY, "body_fat_pct": 17.25})
    assert (second["date"], values(second)) == (
        "2026-11-20",
        {**EMPTY, "weight_kg": 102.058, "waist": 84.5, "notes": "am"},
    )


async def test_round_trip_into_a_new_account(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    await put(client, user, "2026-11-20", weight_kg=82.355, chest=101.25, notes="after")
    await put(client, user, "2026-10-02", weight_kg=84, calf_left=38, calf_right=38.5)
    exported = await export_json(client, user)
    newcomer = await register_user(client)
    response = await upload(
        client, newcomer, orjson.dumps(exported), filename="ironlog.json", source="ironlog_json"
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["body_measurements_new"], report["body_measurements_skipped_duplicate"]) == (
        2,
        0,
    )
    theirs = (await client.get(URL, headers=newcomer.headers)).json()["items"]
    mine = (await client.get(URL, headers=user.headers)).json()["items"]
    assert [(item["date"], values(item)) for item in theirs] == [
        (item["date"], values(item)) for item in mine
    ]
    assert {item["id"] for item in theirs}.isdisjoint(item["id"] for item in mine)


async def test_an_import_adds_dates_and_never_overwrites(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    await put(client, user, "2026-11-20", weight_kg=80)
    file = document(
        {"date": "2026-11-20", "weight_kg": 90},
        {"date": "2026-11-21", "weight_kg": 91, "id": "ignored", "created_at": "ignored"},
        {"date": "2026-11-21", "weight_kg": 92},
    )
    dry = await upload(client, user, file, filename="x.json", dry_run="true")
    assert dry.status_code == 200, dry.text
    assert (
        dry.json()["body_measurements_new"],
        dry.json()["body_measurements_skipped_duplicate"],
    ) == (1, 2)
    assert await dates_of(db, user) == {"2026-11-20": 80.0}
    response = await upload(client, user, file, filename="x.json")
    assert response.status_code == 201, response.text
    assert response.json()["body_measurements_new"] == 1
    assert await dates_of(db, user) == {"2026-11-20": 80.0, "2026-11-21": 91.0}
    again = await upload(client, user, file, filename="x.json")
    assert (
        again.json()["body_measurements_new"],
        again.json()["body_measurements_skipped_duplicate"],
    ) == (0, 3)


async def test_an_invalid_entry_imports_nothing_unless_skipped(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    file = document(
        {"date": "2026-11-20", "weight_kg": 80},
        {"date": "2026-02-30", "weight_kg": 80},
        {"date": "2026-11-22", "notes": "no number"},
        {"date": "2026-11-23", "weight_kg": 501},
    )
    response = await upload(client, user, file, filename="x.json")
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "import_invalid"
    assert [error["message"].split(":")[0] for error in problem["errors"]] == [
        "body_measurements[2]",
        "body_measurements[3]",
        "body_measurements[4]",
    ]
    assert await dates_of(db, user) == {}
    skipped = await upload(client, user, file, filename="x.json", skip_invalid_rows="true")
    assert skipped.status_code == 201, skipped.text
    assert skipped.json()["body_measurements_new"] == 1
    assert len(skipped.json()["warnings"]) == 3
    assert await dates_of(db, user) == {"2026-11-20": 80.0}


async def test_an_entry_outside_the_supported_years_is_refused(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    file = document(
        {"date": "0001-01-01", "weight_kg": 80}, {"date": "9999-12-31", "weight_kg": 80}
    )
    response = await upload(client, user, file, filename="x.json")
    assert response.status_code == 422
    assert [error["message"].split(":")[0] for error in response.json()["errors"]] == [
        "body_measurements[1]",
        "body_measurements[2]",
    ]
    assert await dates_of(db, user) == {}
