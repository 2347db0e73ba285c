"""Weights to the gram: any precision is accepted, rounded half away from zero, and served
exactly everywhere (a pound user's 225 lb = 102.05828 kg is 102.058 in every read)."""

import csv
import io
import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import WorkoutSet
from tests.conftest import UserHandle
from tests.workouts.conftest import WORKOUTS, create_workout

POUNDS_225 = 102.05828  # 225 x 0.45359237, as a client that converts pounds sends it
GRAMS_225 = 102.058


def _one_exercise(exercise_id: uuid.UUID, *sets: dict[str, object]) -> list[dict[str, object]]:
    return [{"exercise_id": str(exercise_id), "sets": list(sets)}]


async def _stored_weights(db: AsyncSession) -> list[float | None]:
    rows = await db.scalars(select(WorkoutSet.weight_kg).order_by(WorkoutSet.position))
    return list(rows)


async def test_a_pound_users_225_lb_reads_back_as_102_058_everywhere(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    sets = [{"weight_kg": POUNDS_225, "reps": 5}, {"weight_kg": POUNDS_225, "reps": 3}]
    body = await create_workout(
        client,
        user,
        started_at="2026-11-20T17:30:00Z",
        exercises=_one_exercise(exercise_ids[0], *sets),
    )
    assert [item["weight_kg"] for item in body["exercises"][0]["sets"]] == [GRAMS_225] * 2
    assert await _stored_weights(db) == [GRAMS_225, GRAMS_225]

    read = (await client.get(f"{WORKOUTS}/{body['id']}", headers=user.headers)).json()
    assert [item["weight_kg"] for item in read["exercises"][0]["sets"]] == [GRAMS_225] * 2
    listed = (await client.get(WORKOUTS, headers=user.headers)).json()["items"][0]
    assert [item["weight_kg"] for item in listed["exercises"][0]["sets"]] == [GRAMS_225] * 2

    exported = (await client.get("/api/v1/export?format=json", headers=user.headers)).json()
    exported_sets = exported["workouts"][0]["exercises"][0]["sets"]
    assert [item["weight_kg"] for item in exported_sets] == [GRAMS_225] * 2
    csv_text = (await client.get("/api/v1/export?format=csv", headers=user.headers)).text
    assert [row["weight_kg"] for row in csv.DictReader(io.StringIO(csv_text))] == ["102.058"] * 2

    [record] = (await client.get("/api/v1/users/me/records", headers=user.headers)).json()
    # Records are served to two decimals (half up): 102.058 reads 102.06 there.
    assert record["heaviest_weight_kg"] == 102.06
    assert record["heaviest_weight_reps"] == 5
    # 102.058 x 5 = 510.29 exactly; Epley 102.058 x (1 + 5/30) = 119.0676..., to 119.07.
    assert record["best_set_volume_kg"] == 510.29
    assert record["best_e1rm_kg"] == 119.07
    stats = (await client.get("/api/v1/users/me/stats?to=2026-11-20", headers=user.headers)).json()
    # 102.058 x 5 + 102.058 x 3 = 816.464, with no float drift.
    assert stats["total_volume_kg"] == 816.464
    assert stats["top_exercises"][0]["volume_kg"] == 816.464
    assert stats["weekly"][-1]["volume_kg"] == 816.464


async def test_volume_of_many_gram_weights_sums_exactly(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floats; ten sets of 0.001 kg x 1 and 0.1 x 3 must not
    # drift either: 10 x 0.001 + 10 x 0.3 = 3.01.
    sets = [{"weight_kg": 0.001, "reps": 1}] * 10 + [{"weight_kg": 0.1, "reps": 3}] * 10
    await create_workout(
        client,
        user,
        started_at="2026-11-20T17:30:00Z",
        exercises=_one_exercise(exercise_ids[0], *sets),
    )
    stats = (await client.get("/api/v1/users/me/stats?to=2026-11-20", headers=user.headers)).json()
    assert stats["total_volume_kg"] == 3.01
    assert stats["total_reps"] == 40


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        (80, 80.0),
        (20.4116567, 20.412),  # 45 lb
        (0.0005, 0.001),  # half a gram rounds away from zero
        (2.0015, 2.002),
        (2.0025, 2.003),  # half up, not to even
        (0.0004999, 0.0),
        (999.9995, 1000.0),
        (1000, 1000.0),
        (1e-9, 0.0),
    ],
)
async def test_any_precision_is_rounded_to_the_gram(
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    db: AsyncSession,
    sent: float,
    stored: float,
) -> None:
    body = await create_workout(
        client, user, exercises=_one_exercise(exercise_ids[0], {"weight_kg": sent, "reps": 1})
    )
    assert body["exercises"][0]["sets"][0]["weight_kg"] == stored
    assert await _stored_weights(db) == [stored]


@pytest.mark.parametrize("weight", [-0.001, 1000.001, "102.058", True])
async def test_weights_out_of_range_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient,
    user: UserHandle,
    exercise_ids: list[uuid.UUID],
    db: AsyncSession,
    weight: object,
) -> None:
    response = await client.post(
        WORKOUTS,
        json={
            "name": "Bad",
            "exercises": _one_exercise(exercise_ids[0], {"weight_kg": weight, "reps": 1}),
        },
        headers=user.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert await _stored_weights(db) == []


async def test_every_set_write_rounds_to_the_gram(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID], db: AsyncSession
) -> None:
    """PUT (replace), POST .../exercises, POST .../sets, PATCH .../sets and PATCH of an
    execution's sets all round the same way."""
    first, second = exercise_ids[0], exercise_ids[1]
    body = await create_workout(client, user, exercises=[])
    url = f"{WORKOUTS}/{body['id']}"
    response = await client.put(
        url,
        json={
            "name": "Replaced",
            "exercises": _one_exercise(first, {"weight_kg": 61.2349, "reps": 1}),
        },
        headers=user.headers,
    )
    assert response.json()["exercises"][0]["sets"][0]["weight_kg"] == 61.235
    response = await client.post(
        f"{url}/exercises",
        json={"exercise_id": str(second), "sets": [{"weight_kg": 27.2155, "reps": 2}]},
        headers=user.headers,
    )
    assert response.status_code == 201
    assert response.json()["sets"][0]["weight_kg"] == 27.216
    response = await client.post(
        f"{url}/exercises/{first}/sets",
        json={"weight_kg": 43.09124, "reps": 3},
        headers=user.headers,
    )
    assert response.status_code == 201
    set_id = response.json()["id"]
    assert response.json()["weight_kg"] == 43.091
    response = await client.patch(
        f"{url}/exercises/{first}/sets/{set_id}", json={"weight_kg": 83.91456}, headers=user.headers
    )
    assert response.json()["weight_kg"] == 83.915
    response = await client.patch(
        f"{url}/exercises/{second}",
        json={"sets": [{"weight_kg": 18.14369, "reps": 4}]},
        headers=user.headers,
    )
    assert response.json()["sets"][0]["weight_kg"] == 18.144
    read = (await client.get(url, headers=user.headers)).json()
    weights = [s["weight_kg"] for execution in read["exercises"] for s in execution["sets"]]
    assert weights == [61.235, 83.915, 18.144]
