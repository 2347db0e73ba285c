from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import UserPreferences
from tests.conftest import UserHandle

PREFERENCES = "/api/v1/users/me/preferences"
DEFAULTS = {
    "weight_unit": "kg",
    "distance_unit": "km",
    "timezone": "UTC",
    "week_starts_on": "monday",
    "default_rest_seconds": 120,
    "bar_weight_kg": 20.0,
    "plates_kg": [25.0, 20.0, 15.0, 10.0, 5.0, 2.5, 1.25],
}


async def _stored_rows(db: AsyncSession, user: UserHandle) -> int:
    count = select(func.count()).where(UserPreferences.user_id == user.id)
    return int(await db.scalar(count) or 0)


async def test_a_new_user_has_the_defaults_and_no_row(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await client.get(PREFERENCES, headers=user.headers)
    assert response.status_code == 200
    assert response.json() == DEFAULTS
    assert await _stored_rows(db, user) == 0


async def test_patch_changes_only_the_fields_sent(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await client.patch(
        PREFERENCES,
        json={"weight_unit": "lb", "timezone": "America/Los_Angeles", "week_starts_on": "sunday"},
        headers=user.headers,
    )
    assert response.status_code == 200
    expected = {
        **DEFAULTS,
        "weight_unit": "lb",
        "timezone": "America/Los_Angeles",
        "week_starts_on": "sunday",
    }
    assert response.json() == expected
    second = await client.patch(PREFERENCES, json={"distance_unit": "mi"}, headers=user.headers)
    assert second.json() == {**expected, "distance_unit": "mi"}
    assert (await client.get(PREFERENCES, headers=user.headers)).json() == {
        **expected,
        "distance_unit": "mi",
    }
    assert await _stored_rows(db, user) == 1


async def test_pound_plates_are_kept_to_the_gram_heaviest_first(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    # 45 lb = 20.41165665 kg; 2.5 lb = 1.133980925 kg; 225 lb = 102.05828 kg (above 100: no).
    pounds = [2.5, 45, 10, 35, 5, 25]
    plates = [round(lb * 0.45359237, 6) for lb in pounds]
    response = await client.patch(
        PREFERENCES,
        json={"bar_weight_kg": 20.41165665, "plates_kg": plates},
        headers=user.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["bar_weight_kg"] == 20.412
    assert body["plates_kg"] == [20.412, 15.876, 11.34, 4.536, 2.268, 1.134]


@pytest.mark.parametrize(
    "change",
    [
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "america/los_angeles"},
        {"timezone": "localtime"},
        {"timezone": ""},
        {"timezone": None},
        {"weight_unit": "stone"},
        {"distance_unit": "m"},
        {"week_starts_on": "saturday"},
        {"default_rest_seconds": -1},
        {"default_rest_seconds": 3601},
        {"default_rest_seconds": "90"},
        {"bar_weight_kg": 100.001},
        {"bar_weight_kg": -1},
        {"plates_kg": [0]},
        {"plates_kg": [20, 0.0004999]},  # a plate that would be stored as 0 g
        {"plates_kg": [20, 1e-300]},
        {"bar_weight_kg": -0.001},
        {"bar_weight_kg": 1e308},
        {"plates_kg": [20, -5]},
        {"plates_kg": [20, 20.0001]},
        {"plates_kg": [float(n + 1) for n in range(13)]},
        {"plates_kg": "20"},
        {"plates_kg": None},
        {"colour": "blue"},
    ],
)
async def test_bad_values_are_422_and_change_nothing(
    client: httpx.AsyncClient, user: UserHandle, change: dict[str, Any]
) -> None:
    await client.patch(PREFERENCES, json={"weight_unit": "lb"}, headers=user.headers)
    response = await client.patch(
        PREFERENCES, json={"distance_unit": "mi", **change}, headers=user.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"
    assert (await client.get(PREFERENCES, headers=user.headers)).json() == {
        **DEFAULTS,
        "weight_unit": "lb",
    }


async def test_boundaries_are_accepted(client: httpx.AsyncClient, user: UserHandle) -> None:
    change = {
        "default_rest_seconds": 3600,
        "bar_weight_kg": 0,
        "plates_kg": [],
        "timezone": "Asia/Kathmandu",
    }
    response = await client.patch(PREFERENCES, json=change, headers=user.headers)
    assert response.status_code == 200
    assert response.json() == {**DEFAULTS, **change, "bar_weight_kg": 0.0}
    twelve = [float(n) for n in range(1, 13)]
    response = await client.patch(PREFERENCES, json={"plates_kg": twelve}, headers=user.headers)
    assert response.json()["plates_kg"] == twelve[::-1]


async def test_the_lightest_plate_is_one_gram_and_negative_zero_is_zero(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    change = {"plates_kg": [20, 0.0005], "bar_weight_kg": -0.0}
    response = await client.patch(PREFERENCES, json=change, headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["plates_kg"] == [20.0, 0.001]
    assert '"bar_weight_kg":0.0,' in response.text  # not -0.0
    stored = (await client.get(PREFERENCES, headers=user.headers)).json()
    assert (stored["bar_weight_kg"], stored["plates_kg"]) == (0.0, [20.0, 0.001])


async def test_preferences_need_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get(PREFERENCES)).status_code == 401
    assert (await client.patch(PREFERENCES, json={"weight_unit": "lb"})).status_code == 401


async def test_each_user_has_their_own(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    await client.patch(PREFERENCES, json={"weight_unit": "lb"}, headers=user.headers)
    assert (await client.get(PREFERENCES, headers=other_user.headers)).json() == DEFAULTS


async def test_deleting_the_account_deletes_the_preferences(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    await client.patch(PREFERENCES, json={"weight_unit": "lb"}, headers=user.headers)
    assert await _stored_rows(db, user) == 1
    assert (await client.delete("/api/v1/users/me", headers=user.headers)).status_code == 204
    assert await _stored_rows(db, user) == 0
