"""`GET /users/me/records` on hand-built histories."""

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle
from tests.stats.history import History, distance, sets, skipped, timed, warmup, working

RECORDS = "/api/v1/users/me/records"
NO_RECORD = {
    "heaviest_weight_kg": None,
    "heaviest_weight_reps": None,
    "heaviest_weight_at": None,
    "best_e1rm_kg": None,
    "best_e1rm_at": None,
    "most_reps": None,
    "most_reps_at": None,
    "best_set_volume_kg": None,
    "best_set_volume_at": None,
    "longest_duration_seconds": None,
    "longest_duration_at": None,
    "longest_distance_m": None,
    "longest_distance_at": None,
}
NO_ENDURANCE = {key: value for key, value in NO_RECORD.items() if key.startswith("longest_")}


async def get_records(
    client: httpx.AsyncClient, user: UserHandle, **params: str
) -> list[dict[str, Any]]:
    response = await client.get(RECORDS, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def test_no_working_set_no_records(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    history.workout("2026-11-02T17:00:00Z").add(bench, warmup(60, 10), skipped(100, 5))
    await history.save()

    assert await get_records(client, user) == []


async def test_one_item_per_exercise_sorted_by_name_with_every_record(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    squat = await history.exercise("Back Squat")
    bench = await history.exercise("Bench Press")
    history.workout("2026-11-02T17:00:00Z").add(bench, warmup(60, 10), *sets(3, 100, 5))
    history.workout("2026-11-05T17:00:00Z").add(squat, *sets(2, 140, 3)).add(
        bench, working(105, 2), working(60, 15), skipped(120, 1), warmup(110, 1)
    )
    await history.save()

    records = await get_records(client, user)

    assert records == [
        {
            "exercise_id": str(squat),
            "name": "Back Squat",
            "heaviest_weight_kg": 140.0,
            "heaviest_weight_reps": 3,
            "heaviest_weight_at": "2026-11-05T17:00:00Z",
            "best_e1rm_kg": 154.0,
            "best_e1rm_at": "2026-11-05T17:00:00Z",
            "most_reps": 3,
            "most_reps_at": "2026-11-05T17:00:00Z",
            "best_set_volume_kg": 420.0,
            "best_set_volume_at": "2026-11-05T17:00:00Z",
            **NO_ENDURANCE,
        },
        {
            "exercise_id": str(bench),
            "name": "Bench Press",
            "heaviest_weight_kg": 105.0,
            "heaviest_weight_reps": 2,
            "heaviest_weight_at": "2026-11-05T17:00:00Z",
            # 100 x (1 + 5/30) = 116.666... beats 105 x (1 + 2/30) = 112.
            "best_e1rm_kg": 116.67,
            "best_e1rm_at": "2026-11-02T17:00:00Z",
            "most_reps": 15,
            "most_reps_at": "2026-11-05T17:00:00Z",
            "best_set_volume_kg": 900.0,
            "best_set_volume_at": "2026-11-05T17:00:00Z",
            **NO_ENDURANCE,
        },
    ]


async def test_names_sort_case_insensitively(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    for name in ("deadlift", "Bench Press", "arnold press", "Curl"):
        history.workout("2026-11-02T17:00:00Z").add(await history.exercise(name), *sets(1, 10, 1))
    await history.save()

    records = await get_records(client, user)

    assert [item["name"] for item in records] == [
        "arnold press",
        "Bench Press",
        "Curl",
        "deadlift",
    ]


async def test_a_tie_goes_to_the_earlier_workout(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    # Inserted latest first: the order of insertion must not matter.
    history.workout("2026-11-09T17:00:00Z").add(bench, working(100, 5))
    history.workout("2026-11-02T17:00:00Z").add(bench, working(100, 5))
    await history.save()

    [record] = await get_records(client, user)

    for field in ("heaviest_weight_at", "best_e1rm_at", "most_reps_at", "best_set_volume_at"):
        assert record[field] == "2026-11-02T17:00:00Z", field


async def test_a_tie_within_a_workout_goes_to_the_earlier_set(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    history.workout("2026-11-02T17:00:00Z").add(
        bench, working(90, 8), working(100, 5), working(100, 3), working(100, 6)
    )
    await history.save()

    [record] = await get_records(client, user)

    assert (record["heaviest_weight_kg"], record["heaviest_weight_reps"]) == (100.0, 5)


async def test_a_tie_between_workouts_started_at_once_goes_to_the_lower_id(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    low = uuid.UUID("00000000-0000-4000-8000-000000000001")
    high = uuid.UUID("ffffffff-0000-4000-8000-000000000001")
    history.workout("2026-11-02T17:00:00Z", workout_id=high).add(bench, working(100, 3))
    history.workout("2026-11-02T17:00:00Z", workout_id=low).add(bench, working(100, 4))
    await history.save()

    [record] = await get_records(client, user)

    assert (record["heaviest_weight_kg"], record["heaviest_weight_reps"]) == (100.0, 4)


async def test_a_tie_is_judged_on_the_rounded_estimate(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    # 100 x (1 + 5/30) = 116.666.. and 116.67 x 1 = 116.67 both round to 116.67:
    # the later set is larger before rounding, but the earlier one holds the record.
    history.workout("2026-11-02T17:00:00Z").add(bench, working(100, 5))
    history.workout("2026-11-09T17:00:00Z").add(bench, working(116.67, 1))
    # 116.68 would beat it; a warm-up at that weight does not count.
    history.workout("2026-11-10T17:00:00Z").add(bench, warmup(116.68, 1))
    await history.save()

    [record] = await get_records(client, user)

    assert (record["best_e1rm_kg"], record["best_e1rm_at"]) == (116.67, "2026-11-02T17:00:00Z")
    assert record["heaviest_weight_kg"] == 116.67


async def test_estimated_one_rep_max_uses_one_to_twelve_reps(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    squat = await history.exercise("Back Squat")
    bench = await history.exercise("Bench Press")
    history.workout("2026-11-02T17:00:00Z").add(
        # 13 reps would estimate 143.33; 1 rep counts as its weight; 12 reps: 80 x 1.4 = 112.
        squat,
        working(100, 13),
        working(120, 1),
        working(80, 12),
    ).add(bench, working(60, 13), working(50, 20))
    await history.save()

    squat_record, bench_record = await get_records(client, user)

    assert (squat_record["name"], squat_record["best_e1rm_kg"]) == ("Back Squat", 120.0)
    assert squat_record["best_set_volume_kg"] == 1300.0
    assert bench_record["best_e1rm_kg"] is None
    assert bench_record["best_e1rm_at"] is None
    assert bench_record["most_reps"] == 20


async def test_estimates_round_half_up(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    curl = await history.exercise("Barbell Curl")
    # 0.05 x (1 + 3/30) = 0.055 exactly: half up is 0.06.
    history.workout("2026-11-02T17:00:00Z").add(curl, working(0.05, 3))
    await history.save()

    [record] = await get_records(client, user)

    assert record["best_e1rm_kg"] == 0.06
    assert record["best_set_volume_kg"] == 0.15


async def test_a_zero_rep_set_gives_only_a_weight_record(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    deadlift = await history.exercise("Deadlift")
    history.workout("2026-11-02T17:00:00Z").add(deadlift, working(250, 0), working(200, 2))
    await history.save()

    [record] = await get_records(client, user)

    assert (record["heaviest_weight_kg"], record["heaviest_weight_reps"]) == (250.0, 0)
    assert record["best_e1rm_kg"] == round(200 * 32 / 30, 2)
    assert record["most_reps"] == 2
    assert record["best_set_volume_kg"] == 400.0


async def test_a_set_without_weight_gives_only_a_rep_record(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    pull_up = await history.exercise("Pull-Up")
    history.workout("2026-11-02T17:00:00Z").add(pull_up, working(None, 12), working(None, 0))
    await history.save()

    [record] = await get_records(client, user)

    assert record == {
        "exercise_id": str(pull_up),
        "name": "Pull-Up",
        **NO_RECORD,
        "most_reps": 12,
        "most_reps_at": "2026-11-02T17:00:00Z",
    }


async def test_a_timed_exercise_gets_its_longest_duration_record(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    plank = await history.exercise("Plank")
    history.workout("2026-11-02T17:00:00Z").add(plank, timed(60), timed(90))
    history.workout("2026-11-09T17:00:00Z").add(plank, timed(90), timed(0))
    await history.save()

    assert await get_records(client, user) == [
        {
            "exercise_id": str(plank),
            "name": "Plank",
            **NO_RECORD,
            "longest_duration_seconds": 90,
            "longest_duration_at": "2026-11-02T17:00:00Z",
        }
    ]


async def test_a_distance_exercise_gets_its_longest_distance_and_duration(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    running = await history.exercise("Running")
    history.workout("2026-11-02T07:00:00Z").add(running, distance(5000.25, 1500))
    history.workout("2026-11-04T07:00:00Z").add(running, distance(10000.5, 3300))
    history.workout("2026-11-06T07:00:00Z").add(running, distance(8000, 3600), distance(0, 60))
    await history.save()

    [record] = await get_records(client, user)

    assert record == {
        "exercise_id": str(running),
        "name": "Running",
        **NO_RECORD,
        "longest_duration_seconds": 3600,
        "longest_duration_at": "2026-11-06T07:00:00Z",
        "longest_distance_m": 10000.5,
        "longest_distance_at": "2026-11-04T07:00:00Z",
    }


async def test_a_record_needs_a_positive_value(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    curl = await history.exercise("Dumbbell Curl")
    # Weight 0 gives no weight, estimate or volume record; reps 0 no rep record; a set with
    # zeros only gives nothing, but the exercise is still listed.
    history.workout("2026-11-02T17:00:00Z").add(curl, working(0, 10), working(0, 0))
    await history.save()

    assert await get_records(client, user) == [
        {
            "exercise_id": str(curl),
            "name": "Dumbbell Curl",
            **NO_RECORD,
            "most_reps": 10,
            "most_reps_at": "2026-11-02T17:00:00Z",
        }
    ]


async def test_records_respect_from_and_to(
    client: httpx.AsyncClient, user: UserHandle, history: History
) -> None:
    bench = await history.exercise("Bench Press")
    history.workout("2026-11-01T23:59:59.999999Z").add(bench, working(120, 1))
    history.workout("2026-11-02T00:00:00Z").add(bench, working(100, 5))
    history.workout("2026-11-08T23:59:59Z").add(bench, working(105, 5))
    history.workout("2026-11-09T00:00:00Z").add(bench, working(130, 1))
    await history.save()

    [record] = await get_records(client, user, **{"from": "2026-11-02", "to": "2026-11-08"})

    assert (record["heaviest_weight_kg"], record["heaviest_weight_at"]) == (
        105.0,
        "2026-11-08T23:59:59Z",
    )
    assert await get_records(client, user, **{"from": "2026-11-10"}) == []


async def test_another_users_sets_are_never_counted(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    history: History,
    db: AsyncSession,
) -> None:
    bench = await history.exercise("Bench Press")
    squat = await history.exercise("Back Squat")
    history.workout("2026-11-02T17:00:00Z").add(bench, working(100, 5))
    await history.save()
    theirs = History(db, other_user.id)
    theirs.workout("2026-11-01T17:00:00Z").add(bench, working(100, 5), working(200, 20))
    theirs.workout("2026-11-03T17:00:00Z").add(squat, working(200, 5))
    await theirs.save()

    [record] = await get_records(client, user)

    assert record["name"] == "Bench Press"
    assert record["heaviest_weight_kg"] == 100.0
    assert record["heaviest_weight_at"] == "2026-11-02T17:00:00Z"
    assert record["most_reps"] == 5


async def test_records_need_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get(RECORDS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
