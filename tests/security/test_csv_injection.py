"""The CSV export never hands a spreadsheet a formula (OWASP CSV injection), and its own import
takes back exactly what it escaped."""

import csv
import io
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import register_user
from tests.portability.helpers import EXPORT, upload
from tests.portability.history import ExecutionSpec, SetSpec, WorkoutSpec, insert_history

HISTORY = [
    WorkoutSpec(
        name='=HYPERLINK("http://evil.example","Push")',
        started_at=datetime(2026, 3, 1, 17, tzinfo=UTC),
        notes="+1 rep next time",
        executions=[
            ExecutionSpec(
                "@Sled Drag",
                notes="-2 kg",
                custom=("=cmd|'/c calc'!a0", "MACHINE"),
                sets=[
                    SetSpec(reps=5, notes="'quoted'"),
                    SetSpec(reps=6, notes="'=not a formula"),
                    SetSpec(reps=7, notes="plain"),
                ],
            )
        ],
    )
]


async def test_csv_export_escapes_formula_cells_and_reimports_them_exactly(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    original = await register_user(client)
    await insert_history(db, original.id, HISTORY)
    exported = await client.get(EXPORT, params={"format": "csv"}, headers=original.headers)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["workout_name"] for row in rows] == [
        '\'=HYPERLINK("http://evil.example","Push")'
    ] * 3
    assert rows[0]["workout_notes"] == "'+1 rep next time"
    assert rows[0]["exercise_name"] == "'@Sled Drag"
    assert rows[0]["body_part"] == "'=cmd|'/c calc'!a0"
    assert rows[0]["execution_notes"] == "'-2 kg"
    # A value that really starts with a quote gets a second one; a plain one is left alone.
    assert [row["set_notes"] for row in rows] == ["''quoted'", "''=not a formula", "plain"]

    copy = await register_user(client)
    imported = await upload(client, copy, exported.content, source="ironlog_csv")
    assert imported.status_code == 201, imported.text
    [listed] = (await client.get("/api/v1/workouts", headers=copy.headers)).json()["items"]
    tree = (await client.get(f"/api/v1/workouts/{listed['id']}", headers=copy.headers)).json()
    assert tree["name"] == '=HYPERLINK("http://evil.example","Push")'
    assert tree["notes"] == "+1 rep next time"
    [execution] = tree["exercises"]
    assert execution["exercise"]["name"] == "@Sled Drag"
    assert execution["exercise"]["body_part"] == "=cmd|'/c calc'!a0"
    assert execution["notes"] == "-2 kg"
    assert [item["notes"] for item in execution["sets"]] == ["'quoted'", "'=not a formula", "plain"]
