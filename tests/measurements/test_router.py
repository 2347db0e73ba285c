"""Body measurements over HTTP: one entry per date, created or replaced whole, private."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import BodyMeasurement
from tests.conftest import UserHandle
from tests.measurements.conftest import CIRCUMFERENCES, EMPTY, URL, put, values


async def stored(db: AsyncSession) -> list[BodyMeasurement]:
    return list((await db.scalars(select(BodyMeasurement))).all())


async def test_put_creates_then_replaces_whole(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    created = await put(
        client, user, "2026-11-20", weight_kg=82.35, waist=84, notes=" morning ", arm_left=38.5
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{URL}/2026-11-20"
    body = created.json()
    assert body["date"] == "2026-11-20"
    assert values(body) == {
        **EMPTY, "weight_kg": 82.35, "waist": 84.0, "arm_left": 38.5, "notes": "morning"
    }  # fmt: skip
    assert body["created_at"] == body["updated_at"]
    uuid.UUID(body["id"])

    replaced = await put(client, user, "2026-11-20", body_fat_pct=16.5)
    assert replaced.status_code == 200, replaced.text
    assert "location" not in replaced.headers
    again = replaced.json()
    # A replace, not a merge: the weight, waist, arm and notes are gone.
    assert values(again) == {**EMPTY, "body_fat_pct": 16.5}
    assert (again["id"], again["created_at"]) == (body["id"], body["created_at"])
    assert again["updated_at"] > body["updated_at"]
    read = await client.get(f"{URL}/2026-11-20", headers=user.headers)
    assert read.status_code == 200
    assert read.json() == again
    [entry] = await stored(db)
    assert (entry.weight_kg, entry.body_fat_pct, entry.waist) == (None, 16.5, None)


async def test_every_field_is_stored_and_rounded(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    body = {
        "weight_kg": 102.05828,  # 225 lb
        "body_fat_pct": 12.345,
        **{name: 30 + index + 0.005 for index, name in enumerate(CIRCUMFERENCES)},
        "notes": "n" * 500,
    }
    response = await put(client, user, "2026-01-31", **body)
    assert response.status_code == 201, response.text
    expected = {
        "weight_kg": 102.058,
        "body_fat_pct": 12.35,
        **{name: 30 + index + 0.01 for index, name in enumerate(CIRCUMFERENCES)},
        "notes": "n" * 500,
    }
    assert values(response.json()) == expected
    read = (await client.get(f"{URL}/2026-01-31", headers=user.headers)).json()
    assert values(read) == expected
    [entry] = await stored(db)
    assert entry.weight_kg == 102.058


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"notes": "just a note"},
        {"weight_kg": None, "notes": "x"},
        {"weight_kg": 19.999},
        {"weight_kg": 500.001},
        {"body_fat_pct": 0.9},
        {"body_fat_pct": 75.01},
        {"waist": 0.5},
        {"calf_right": 300.5},
        {"weight_kg": "80"},
        {"weight_kg": True},
        {"weight_kg": 80, "notes": "x" * 501},
        {"weight_kg": 80, "date": "2026-11-21"},
        {"weight_kg": 80, "biceps": 40},
        {"weight_kg": 80, "id": "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a"},
    ],
)
async def test_bad_bodies_are_422_and_change_nothing(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, body: dict[str, Any]
) -> None:
    assert (await put(client, user, "2026-11-20", weight_kg=80)).status_code == 201
    response = await put(client, user, "2026-11-20", **body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"
    [entry] = await stored(db)
    assert (entry.weight_kg, entry.notes) == (80.0, None)


async def test_edges_are_accepted(client: httpx.AsyncClient, user: UserHandle) -> None:
    low = {"weight_kg": 20, "body_fat_pct": 1, **dict.fromkeys(CIRCUMFERENCES, 1)}
    high = {"weight_kg": 500, "body_fat_pct": 75, **dict.fromkeys(CIRCUMFERENCES, 300)}
    assert (await put(client, user, "2026-01-01", **low)).status_code == 201
    response = await put(client, user, "2026-01-02", **high)
    assert response.status_code == 201
    assert values(response.json()) == {**high, "notes": None}


@pytest.mark.parametrize(
    "day", ["2026-02-30", "2026-13-01", "2025-02-29", "garbage", "2026-1-05", "20261120",
            "2026-11-20T00:00:00", "2026-11-20Z", "0000-01-01"],
)  # fmt: skip
async def test_a_path_date_that_is_not_a_valid_date_is_422(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, day: str
) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(
            method, f"{URL}/{day}", json={"weight_kg": 80}, headers=user.headers
        )
        assert response.status_code == 422, (method, response.text)
        assert response.json()["code"] == "validation_error"
    assert await stored(db) == []


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
async def test_a_date_outside_the_supported_years_is_422(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, day: str
) -> None:
    # Like every date a client sends (docs/security.md): the years 1900 to 2999.
    for method in ("PUT", "GET", "DELETE"):
        response = await client.request(
            method, f"{URL}/{day}", json={"weight_kg": 80}, headers=user.headers
        )
        assert response.status_code == 422, (method, response.text)
        assert response.json()["errors"][0]["loc"] == ["path", "measurement_date"]
    assert await stored(db) == []
    for edge in ("1900-01-01", "2999-12-31"):
        assert (await put(client, user, edge, weight_kg=80)).status_code == 201


async def test_leap_day_is_a_date(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await put(client, user, "2028-02-29", weight_kg=80)
    assert response.status_code == 201
    assert response.json()["date"] == "2028-02-29"


async def test_get_and_delete(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    missing = await client.get(f"{URL}/2026-11-20", headers=user.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    await put(client, user, "2026-11-20", weight_kg=80)
    await put(client, user, "2026-11-21", weight_kg=81)
    response = await client.delete(f"{URL}/2026-11-20", headers=user.headers)
    assert response.status_code == 204
    assert (await client.get(f"{URL}/2026-11-20", headers=user.headers)).status_code == 404
    again = await client.delete(f"{URL}/2026-11-20", headers=user.headers)
    assert again.status_code == 404
    assert [entry.weight_kg for entry in await stored(db)] == [81.0]


async def test_list_is_newest_first_with_range_and_pages(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    for day, weight in [("2026-11-03", 83), ("2026-11-01", 84), ("2026-11-10", 82),
                        ("2026-10-31", 85), ("2026-11-05", 82.5)]:  # fmt: skip
        assert (await put(client, user, day, weight_kg=weight)).status_code == 201
    whole = (await client.get(URL, headers=user.headers)).json()
    assert [item["date"] for item in whole["items"]] == [
        "2026-11-10", "2026-11-05", "2026-11-03", "2026-11-01", "2026-10-31"
    ]  # fmt: skip
    assert (whole["total"], whole["page"], whole["size"], whole["pages"]) == (5, 1, 20, 1)
    ranged = await client.get(
        URL, params={"from": "2026-11-01", "to": "2026-11-05", "size": 2, "page": 2},
        headers=user.headers,
    )  # fmt: skip
    body = ranged.json()
    assert [item["date"] for item in body["items"]] == ["2026-11-01"]
    assert (body["total"], body["page"], body["size"], body["pages"]) == (3, 2, 2, 2)
    beyond = (await client.get(URL, params={"page": 9}, headers=user.headers)).json()
    assert (beyond["items"], beyond["total"]) == ([], 5)


@pytest.mark.parametrize(
    "params",
    [{"from": "2026-11-05", "to": "2026-11-01"}, {"from": "2026-02-30"}, {"to": "soon"},
     {"size": 101}, {"size": 0}, {"page": 0}],
)  # fmt: skip
async def test_bad_list_parameters_are_422(
    client: httpx.AsyncClient, user: UserHandle, params: dict[str, Any]
) -> None:
    response = await client.get(URL, params=params, headers=user.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_another_users_entries_are_invisible(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, db: AsyncSession
) -> None:
    await put(client, user, "2026-11-20", weight_kg=80)
    assert (await client.get(f"{URL}/2026-11-20", headers=other_user.headers)).status_code == 404
    assert (await client.delete(f"{URL}/2026-11-20", headers=other_user.headers)).status_code == 404
    listed = (await client.get(URL, headers=other_user.headers)).json()
    assert (listed["items"], listed["total"]) == ([], 0)
    # The other user's PUT of the same date is an entry of their own; the first stays as it was.
    response = await put(client, other_user, "2026-11-20", weight_kg=60)
    assert response.status_code == 201
    mine = (await client.get(f"{URL}/2026-11-20", headers=user.headers)).json()
    assert mine["weight_kg"] == 80.0
    assert mine["id"] != response.json()["id"]
    assert sorted(entry.weight_kg for entry in await stored(db)) == [60.0, 80.0]


async def test_a_token_is_required(client: httpx.AsyncClient) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(method, f"{URL}/2026-11-20", json={"weight_kg": 80})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    assert (await client.get(URL)).status_code == 401


async def test_entries_go_with_the_account(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, db: AsyncSession
) -> None:
    await put(client, user, "2026-11-20", weight_kg=80)
    await put(client, other_user, "2026-11-20", weight_kg=60)
    assert (await client.delete("/api/v1/users/me", headers=user.headers)).status_code == 204
    count = await db.scalar(select(func.count()).select_from(BodyMeasurement))
    assert count == 1
    [entry] = await stored(db)
    assert entry.user_id == other_user.id
