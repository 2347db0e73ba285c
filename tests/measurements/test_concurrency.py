"""Concurrent PUTs of one date against a database that commits (two devices of one lifter)."""

import asyncio
import secrets

import httpx

from tests.conftest import register_user
from tests.measurements.conftest import URL


async def test_concurrent_puts_of_a_new_date_make_one_entry(
    live_client: httpx.AsyncClient,
) -> None:
    user = await register_user(live_client, email=f"live-{secrets.token_hex(6)}@example.com")
    weights = [80 + n for n in range(6)]
    responses = await asyncio.gather(
        *(
            live_client.put(f"{URL}/2026-11-20", json={"weight_kg": w}, headers=user.headers)
            for w in weights
        )
    )
    statuses = sorted(response.status_code for response in responses)
    # One creates it; each of the others replaces it, none fails.
    assert statuses == [200, 200, 200, 200, 200, 201]
    assert len({response.json()["id"] for response in responses}) == 1
    listed = (await live_client.get(URL, headers=user.headers)).json()
    assert listed["total"] == 1
    assert listed["items"][0]["weight_kg"] in weights
