"""Helpers of the body measurement tests."""

from typing import Any

import httpx

from tests.conftest import UserHandle

URL = "/api/v1/body-measurements"
CIRCUMFERENCES = (
    "neck", "chest", "waist", "hips", "arm_left", "arm_right",
    "thigh_left", "thigh_right", "calf_left", "calf_right",
)  # fmt: skip
EMPTY = {"weight_kg": None, "body_fat_pct": None, **dict.fromkeys(CIRCUMFERENCES), "notes": None}


async def put(client: httpx.AsyncClient, user: UserHandle, day: str, **body: Any) -> httpx.Response:
    return await client.put(f"{URL}/{day}", json=body, headers=user.headers)


def values(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in EMPTY}
