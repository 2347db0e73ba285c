"""Property: after any sequence of adds, removals and reorders, positions are 0..n-1 and the
workout matches a plain Python model of it."""

import uuid
from typing import Any

import anyio
import anyio.from_thread
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import UserHandle
from tests.workouts.conftest import WORKOUTS, a_set, create_workout

# An operation: (kind, a, b) with a, b as indexes chosen modulo what exists when it runs.
operations = st.lists(
    st.tuples(
        st.sampled_from(["add_exercise", "remove_exercise", "reorder", "add_set", "remove_set"]),
        st.integers(0, 5),
        st.integers(0, 5),
    ),
    max_size=12,
)


async def apply(
    client: httpx.AsyncClient,
    user: UserHandle,
    workout_id: str,
    model: list[tuple[str, list[str]]],
    operation: tuple[str, int, int],
    pool: list[str],
) -> None:
    kind, a, b = operation
    base = f"{WORKOUTS}/{workout_id}/exercises"
    present = [exercise_id for exercise_id, _ in model]
    if kind == "add_exercise":
        candidates = [e for e in pool if e not in present]
        if candidates:
            exercise_id = candidates[a % len(candidates)]
            response = await client.post(
                base, json={"exercise_id": exercise_id}, headers=user.headers
            )
            assert response.status_code == 201
            model.append((exercise_id, []))
    elif kind == "remove_exercise" and model:
        exercise_id, _ = model.pop(a % len(model))
        response = await client.delete(f"{base}/{exercise_id}", headers=user.headers)
        assert response.status_code == 204
    elif kind == "reorder" and model:
        rotated = model[a % len(model) :] + model[: a % len(model)]
        if b % 2:
            rotated.reverse()
        response = await client.put(
            f"{base}/order",
            json={"exercise_ids": [e for e, _ in rotated]},
            headers=user.headers,
        )
        assert response.status_code == 200
        model[:] = rotated
    elif kind == "add_set" and model:
        exercise_id, sets = model[a % len(model)]
        response = await client.post(
            f"{base}/{exercise_id}/sets", json=a_set(reps=b), headers=user.headers
        )
        assert response.status_code == 201
        sets.append(response.json()["id"])
    elif kind == "remove_set" and model:
        exercise_id, sets = model[a % len(model)]
        if sets:
            set_id = sets.pop(b % len(sets))
            response = await client.delete(
                f"{base}/{exercise_id}/sets/{set_id}", headers=user.headers
            )
            assert response.status_code == 204


async def check_sequence(
    client: httpx.AsyncClient,
    user: UserHandle,
    pool: list[str],
    sequence: list[tuple[str, int, int]],
) -> None:
    workout = await create_workout(client, user)
    model: list[tuple[str, list[str]]] = []
    for operation in sequence:
        await apply(client, user, workout["id"], model, operation, pool)
    read: dict[str, Any] = (
        await client.get(f"{WORKOUTS}/{workout['id']}", headers=user.headers)
    ).json()
    executions = read["exercises"]
    assert [e["position"] for e in executions] == list(range(len(executions)))
    assert [(e["exercise_id"], [s["id"] for s in e["sets"]]) for e in executions] == model
    for execution in executions:
        assert [s["position"] for s in execution["sets"]] == list(range(len(execution["sets"])))


async def test_positions_stay_contiguous_and_match_a_model(
    client: httpx.AsyncClient, user: UserHandle, exercise_ids: list[uuid.UUID]
) -> None:
    pool = [str(exercise_id) for exercise_id in exercise_ids]

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(sequence=operations)
    def property_holds(sequence: list[tuple[str, int, int]]) -> None:
        anyio.from_thread.run(check_sequence, client, user, pool, sequence)

    # Hypothesis drives the examples from a worker thread; each runs on the test's event loop.
    await anyio.to_thread.run_sync(property_holds)
