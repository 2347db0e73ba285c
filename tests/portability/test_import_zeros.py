"""Zeros that stand for "not entered": a Strong or FitNotes set with a time or a distance keeps
only those when its weight or reps are 0. Other sets, and IronLog's own files, keep their zeros."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle
from tests.portability.helpers import stored_workouts, upload, values

MEASURES = ("weight_kg", "reps", "duration_seconds", "distance_m")

STRONG_HEADER = (
    b"Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
    b"Workout Notes,RPE\n"
)
STRONG = (
    STRONG_HEADER
    + b"""2024-03-01 07:00:00,Core,30m,Plank,1,0,0,0,60,,,
2024-03-01 07:00:00,Core,30m,Farmers Walk,1,40,0,0,45,,,
2024-03-01 07:00:00,Core,30m,Rowing Machine,1,0,0,2,480,,,
2024-03-01 07:00:00,Core,30m,Pull Up,1,0,10,0,0,,,
2024-03-01 07:00:00,Core,30m,Pull Up,2,0,0,0,0,,,
"""
)

FITNOTES = b"""Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time,Comment
2024-03-02,Treadmill,Cardio,0.0,kgs,0,5.0,km,0:25:00,
2024-03-02,Plank,Abs,0.0,kgs,0,,,0:01:30,
2024-03-02,Chin Up,Back,0.0,kgs,8,,,,
"""


async def test_strong_zero_weight_and_reps_beside_a_time_or_distance_are_null(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, STRONG)
    assert response.status_code == 201, response.text
    (workout,) = await stored_workouts(db, user.id)
    plank, walk, rower, pullup = workout["exercises"]
    assert values(plank["sets"], *MEASURES) == [(None, None, 60, None)]
    assert values(walk["sets"], *MEASURES) == [(40.0, None, 45, None)]
    assert values(rower["sets"], *MEASURES) == [(None, None, 480, 2000.0)]
    # Without a time or a distance a zero is what was lifted: bodyweight reps, or 0 reps.
    assert values(pullup["sets"], *MEASURES) == [(0.0, 10, None, None), (0.0, 0, None, None)]


async def test_fitnotes_zero_weight_and_reps_beside_a_time_or_distance_are_null(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    response = await upload(client, user, FITNOTES)
    assert response.status_code == 201, response.text
    (workout,) = await stored_workouts(db, user.id)
    treadmill, plank, chin_up = workout["exercises"]
    assert values(treadmill["sets"], *MEASURES) == [(None, None, 1500, 5000.0)]
    assert values(plank["sets"], *MEASURES) == [(None, None, 90, None)]
    assert values(chin_up["sets"], *MEASURES) == [(0.0, 8, None, None)]


async def test_ironlog_csv_keeps_its_zeros(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    header = (
        "workout_id,workout_name,started_at,finished_at,workout_notes,exercise_name,body_part,"
        "modality,exercise_position,execution_notes,set_position,set_type,weight_kg,reps,"
        "duration_seconds,distance_m,rpe,rest_seconds,completed,set_notes"
    )
    row = (
        "0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e,Core,2024-03-01T07:00:00Z,,,Plank,core,"
        "BODYWEIGHT,0,,0,normal,0,0,60,,,,true,"
    )
    response = await upload(client, user, f"{header}\n{row}\n".encode(), source="ironlog_csv")
    assert response.status_code == 201, response.text
    (workout,) = await stored_workouts(db, user.id)
    assert values(workout["exercises"][0]["sets"], *MEASURES) == [(0.0, 0, 60, None)]
