"""Files that cannot be imported, limits and bad fields: nothing is ever left behind."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle
from tests.portability.helpers import (
    FILES,
    IMPORTS,
    count_own_exercises,
    count_workouts,
    stored_workouts,
    upload,
)

STRONG_HEADER = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
    "Workout Notes,RPE\n"
)


async def test_unreadable_rows_import_nothing(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "strong_bad_rows.csv")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "import_invalid"
    assert body["errors"] == [
        {"row": 3, "message": "reps 'eight' is not a number"},
        {"row": 4, "message": "weight 2500kg is out of range (0..1000kg)"},
        {"row": 5, "message": "Date '2022-01-32 17:00:00' is not a date and time"},
    ]
    assert await count_workouts(db, user.id) == 0


async def test_skip_invalid_rows_imports_the_rest(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "strong_bad_rows.csv", skip_invalid_rows="true")
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["workouts_new"], report["sets"]) == (2, 2)
    assert report["warnings"] == [
        {"row": 3, "message": "row skipped: reps 'eight' is not a number"},
        {"row": 4, "message": "row skipped: weight 2500kg is out of range (0..1000kg)"},
        {"row": 5, "message": "row skipped: Date '2022-01-32 17:00:00' is not a date and time"},
    ]
    push, pull = await stored_workouts(db, user.id)
    assert [len(e["sets"]) for e in push["exercises"]] == [1]
    assert pull["exercises"][0]["name"] == "Deadlift"


async def test_a_row_that_cannot_be_read_in_hevy(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, "hevy_bad_row.csv")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 3, "message": "set type 'superset' is not warmup, normal, failure or dropset"}
    ]
    assert await count_workouts(db, user.id) == 0


async def test_out_of_range_values_are_unreadable_rows(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    rows = [
        "2022-01-10 17:00:00,Push,45m,Bench Press (Barbell),1,100,1001,0,0,,,",
        "2022-01-10 17:00:00,Push,45m,Bench Press (Barbell),2,100,5,0,0,,,7.3",
        "2022-01-10 17:00:00,Push,45m,Bench Press (Barbell),3,100,5.5,0,0,,,",
        "2022-01-10 17:00:00,Push,45m,Bench Press (Barbell),4,-5,5,0,0,,,",
        "2022-01-10 17:00:00,Push,45m,Running,1,,,,90000,,,",
        "2022-01-10 17:00:00,Push,45m,Bench Press (Barbell),5,100,,,,,,",
        "2022-01-10 17:00:00,Push,45m,,6,100,5,,,,,",
        "2022-01-10 17:00:00,Push,45m,Bench Press (Barbell),Rest Timer,,,,20000,,,",
    ]
    response = await upload(client, user, (STRONG_HEADER + "\n".join(rows)).encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 2, "message": "reps 1001 is out of range (0..1000)"},
        {"row": 3, "message": "RPE 7.3 is not between 1 and 10 in steps of 0.5"},
        {"row": 4, "message": "reps '5.5' is not a whole number"},
        {"row": 5, "message": "weight -5kg is out of range (0..1000kg)"},
        {"row": 6, "message": "duration 90000s is out of range (0..86400s)"},
        {"row": 7, "message": "the set has no reps, duration or distance"},
        {"row": 8, "message": "the exercise name is empty"},
        {"row": 9, "message": "rest 20000s is out of range (0..10800s)"},
    ]


async def test_only_the_first_100_errors_are_listed(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    rows = "".join(
        f"2022-01-10 17:00:00,Push,45m,Bench Press (Barbell),{n},100,x,0,0,,,\n" for n in range(150)
    )
    response = await upload(client, user, (STRONG_HEADER + rows).encode())
    assert response.status_code == 422
    body = response.json()
    assert len(body["errors"]) == 100
    assert body["errors"][0]["row"] == 2
    assert body["errors"][-1]["row"] == 101
    assert body["detail"].startswith("150 row(s)")


@pytest.mark.parametrize(
    "name", ["binary.png", "prose.txt", "unknown_header.csv", "not_ironlog.json"]
)
async def test_unknown_shapes_are_unrecognized(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, name: str
) -> None:
    response = await upload(client, user, name)
    assert response.status_code == 422
    assert response.json()["code"] == "import_unrecognized"
    assert await count_workouts(db, user.id) == 0


@pytest.mark.parametrize("content", [b"", b"\n\n", b"{not json", b"\xff\xfe\x00\x01garbage"])
async def test_empty_and_broken_files_are_unrecognized(
    client: httpx.AsyncClient, user: UserHandle, content: bytes
) -> None:
    response = await upload(client, user, content)
    assert response.status_code == 422
    assert response.json()["code"] == "import_unrecognized"


async def test_a_source_that_does_not_fit_the_file_is_unrecognized(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await upload(client, user, "hevy_kg.csv", source="strong")
    assert response.status_code == 422
    assert response.json()["code"] == "import_unrecognized"
    assert "Strong" in response.json()["detail"]


async def test_a_header_only_file_imports_nothing(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await upload(client, user, STRONG_HEADER.encode())
    assert response.status_code == 201
    assert (response.json()["workouts_new"], response.json()["sets"]) == (0, 0)


async def test_unknown_timezone_is_422(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await upload(client, user, "strong_old.csv", timezone="Mars/Olympus_Mons")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["loc"] == ["body", "timezone"]


@pytest.mark.parametrize(("field", "value"), [("source", "myfitnesspal"), ("unit", "stone")])
async def test_unknown_source_or_unit_is_422(
    client: httpx.AsyncClient, user: UserHandle, field: str, value: str
) -> None:
    response = await upload(client, user, "strong_old.csv", **{field: value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", field]


async def test_missing_file_is_422(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await client.post(IMPORTS, data={"source": "strong"}, headers=user.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_import_needs_a_token(client: httpx.AsyncClient) -> None:
    content = (FILES / "strong_old.csv").read_bytes()
    response = await client.post(IMPORTS, files={"file": ("a.csv", content)})
    assert response.status_code == 401


async def test_files_over_20_mib_are_413(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    row = "2022-01-10 17:00:00,Push,45m,Bench Press (Barbell),1,100,5,0,0,,,\n"
    content = (STRONG_HEADER + row * (20 * 1024 * 1024 // len(row) + 1)).encode()
    response = await upload(client, user, content)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert await count_workouts(db, user.id) == 0


async def test_a_file_just_under_the_limit_is_accepted(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    # 1 MiB (the limit of every other route) is far exceeded; the import's own limit applies.
    row = "2022-01-10 17:00:00,Push,45m,Bench Press (Barbell),1,100,5,0,0,,,\n"
    content = (STRONG_HEADER + row * (2 * 1024 * 1024 // len(row))).encode()
    response = await upload(client, user, content, dry_run="true")
    assert response.status_code == 200
    assert response.json()["workouts_new"] == 1


async def test_a_failing_import_leaves_no_exercises(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    content = (
        STRONG_HEADER
        + "2022-01-10 17:00:00,Push,45m,Brand New Lift,1,100,5,0,0,,,\n"
        + "2022-01-10 17:00:00,Push,45m,Brand New Lift,2,100,x,0,0,,,\n"
    ).encode()
    response = await upload(client, user, content)
    assert response.status_code == 422
    assert await count_own_exercises(db, user.id) == 0
    assert await count_workouts(db, user.id) == 0
