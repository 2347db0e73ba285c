"""The progression rule on its own: which weights a started workout gets."""

from typing import Any

import pytest

from ironlog.routines.progression import reached_targets, target_reps, target_weights


def routine_set(
    weight: float | None, reps: int | None = None, top: int | None = None, kind: str = "normal"
) -> dict[str, Any]:
    rep_range = None if top is None else {"min": 1, "max": top}
    return {"set_type": kind, "weight_kg": weight, "reps": reps, "rep_range": rep_range}


def done(weight: float | None, reps: int | None, completed: bool = True) -> dict[str, Any]:
    return {"weight_kg": weight, "reps": reps, "completed": completed}


def exercise(*sets: dict[str, Any], increment: float | None = 2.5) -> dict[str, Any]:
    progression = None if increment is None else {"increment_kg": increment}
    return {"sets": list(sets), "progression": progression}


def test_target_reps_prefers_reps_then_the_top_of_the_range() -> None:
    assert target_reps(routine_set(50, reps=5, top=8)) == 5
    assert target_reps(routine_set(50, top=12)) == 12
    assert target_reps({**routine_set(None), "duration_seconds": 60}) is None


def test_more_sets_last_time_than_in_the_routine_is_fine() -> None:
    sets = [routine_set(100, reps=5)]
    assert reached_targets(sets, [done(100, 5), done(100, 1)])


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ([done(100, 5), done(100, 5)], True),
        ([done(100, 5), done(100, 4)], False),
        ([done(100, 5)], False),  # the second working set is missing
        ([done(100, 5), done(100, None)], False),
        ([done(100, 5), done(100, 9, completed=False)], False),
    ],
)
def test_reached_targets(last: list[dict[str, Any]], expected: bool) -> None:
    sets = [routine_set(100, reps=5), routine_set(100, top=5)]
    assert reached_targets(sets, last) is expected


def test_no_working_set_with_a_rep_target_never_reaches() -> None:
    warmups = [routine_set(40, reps=10, kind="warmup")]
    assert not reached_targets(warmups, [done(40, 10)])


def test_weights_carry_over_by_position_and_fall_back_to_the_routine() -> None:
    routine = exercise(routine_set(40, 10, kind="warmup"), routine_set(100, 5), routine_set(90, 5))
    # Missed the target: last time's weights; the third set was not done, so the routine's.
    assert target_weights(routine, [done(45, 10), done(105, 4)]) == [45.0, 105.0, 90.0]


def test_weights_go_up_for_working_sets_only_and_stop_at_1000() -> None:
    routine = exercise(
        routine_set(40, 10, kind="warmup"),
        routine_set(None, 5),
        routine_set(999, 5),
        increment=1.25,
    )
    last = [done(40, 10), done(None, 5), done(999.5, 5)]
    assert target_weights(routine, last) == [40.0, None, 1000.0]


def test_without_progression_or_history_the_routine_weights_stay() -> None:
    routine = exercise(routine_set(100, 5), increment=None)
    assert target_weights(routine, [done(120, 5)]) == [100]
    assert target_weights(exercise(routine_set(100, 5)), None) == [100]
    assert target_weights(exercise(routine_set(100, 5)), []) == [100]


def test_raised_weights_are_rounded_to_the_gram() -> None:
    routine = exercise(routine_set(60, 5), increment=0.1)
    assert target_weights(routine, [done(60.2, 5)]) == [60.3]
