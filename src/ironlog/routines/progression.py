"""The targets of a workout started from a routine (docs/routines.md, "Starting a routine").

Pure functions over the routine's exercise (as the API shows it) and the sets of the last time
the routine was done, so the rule is tested without a database.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from ironlog.core.units import round_to_gram
from ironlog.models import SetType

MAX_WEIGHT_KG = 1000.0


def target_reps(routine_set: Mapping[str, Any]) -> int | None:
    """A set's target: its reps, else the top of its rep range."""
    if routine_set["reps"] is not None:
        return int(routine_set["reps"])
    rep_range = routine_set["rep_range"]
    return None if rep_range is None else int(rep_range["max"])


def reached_targets(
    routine_sets: Sequence[Mapping[str, Any]], last: Sequence[Mapping[str, Any]]
) -> bool:
    """Whether every working set with a rep target was done, at least to its target, last time.

    Sets are matched by position (the started workout copies the routine's positions). A
    working set missing last time, not completed, or short of its target means no.
    """
    working = [
        (position, target)
        for position, routine_set in enumerate(routine_sets)
        if routine_set["set_type"] != SetType.WARMUP
        and (target := target_reps(routine_set)) is not None
    ]
    if not working:
        return False
    for position, target in working:
        if position >= len(last):
            return False
        done = last[position]
        if not done["completed"] or done["reps"] is None or done["reps"] < target:
            return False
    return True


def target_weights(
    exercise: Mapping[str, Any], last: Sequence[Mapping[str, Any]] | None
) -> list[float | None]:
    """The weight of each set of a started workout.

    Without progression, or when the routine was never done with this exercise, the routine's
    own weights. With progression, each set starts from the weight of the same set last time
    (the routine's weight where last time had no such set or no weight); when every working set
    reached its target, the working sets that have a weight go up by the increment.
    """
    routine_sets: Sequence[Mapping[str, Any]] = exercise["sets"]
    weights: list[float | None] = [routine_set["weight_kg"] for routine_set in routine_sets]
    progression = exercise["progression"]
    if progression is None or not last:
        return weights
    for position in range(min(len(weights), len(last))):
        if last[position]["weight_kg"] is not None:
            weights[position] = float(last[position]["weight_kg"])
    if reached_targets(routine_sets, last):
        increment = float(progression["increment_kg"])
        weights = [
            weight
            if weight is None or routine_set["set_type"] == SetType.WARMUP
            else min(weight + increment, MAX_WEIGHT_KG)
            for weight, routine_set in zip(weights, routine_sets, strict=True)
        ]
    return [None if weight is None else round_to_gram(weight) for weight in weights]
