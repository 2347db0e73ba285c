"""The workout read model: JSON-ready dicts built straight from query rows.

The read path is what every client calls most, so it skips ORM objects and response validation:
rows become dicts here and are serialised once by orjson. `tests/workouts` checks these dicts
against the documented `*Read` schemas. See docs/workouts.md.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

JsonDict = dict[str, Any]


def etag(workout_id: uuid.UUID, version: int) -> str:
    """A strong ETag; the version changes with every change to the workout or its tree."""
    return f'"{workout_id.hex}.{version}"'


def duration_seconds(started_at: datetime, finished_at: datetime | None) -> int | None:
    if finished_at is None:
        return None
    return int((finished_at - started_at).total_seconds())


def set_json(values: Mapping[Any, Any]) -> JsonDict:
    """A set as the API shows it, from a row mapping or the dict that was inserted."""
    return {
        "id": values["id"],
        "position": values["position"],
        "set_type": values["set_type"],
        "weight_kg": values["weight_kg"],
        "reps": values["reps"],
        "duration_seconds": values["duration_seconds"],
        "distance_m": values["distance_m"],
        "rpe": values["rpe"],
        "rest_seconds": values["rest_seconds"],
        "completed": values["completed"],
        "notes": values["notes"],
    }


def trees_from_rows(rows: Iterable[Sequence[Any]]) -> list[tuple[JsonDict, int]]:
    """Fold tree rows (ordered by workout, execution position, set position) into workouts,
    each with its version."""
    workouts: list[tuple[JsonDict, int]] = []
    workout: JsonDict | None = None
    execution: JsonDict | None = None
    for row in rows:
        (workout_id, name, notes, status, started_at, finished_at, created_at, updated_at,
         version, routine_id, exercise_id, execution_position, execution_notes, exercise_name,
         body_part, modality, superset, set_id, *set_values) = row  # fmt: skip
        if workout is None or workout["id"] != workout_id:
            workout = {
                "id": workout_id,
                "name": name,
                "notes": notes,
                "status": status,
                "started_at": started_at,
                "finished_at": finished_at,
                "duration_seconds": duration_seconds(started_at, finished_at),
                "routine_id": routine_id,
                "created_at": created_at,
                "updated_at": updated_at,
                "exercises": [],
            }
            workouts.append((workout, version))
            execution = None
        if exercise_id is None:
            continue
        if execution is None or execution["exercise_id"] != exercise_id:
            execution = {
                "exercise_id": exercise_id,
                "position": execution_position,
                "notes": execution_notes,
                "superset": superset,
                "exercise": {
                    "id": exercise_id,
                    "name": exercise_name,
                    "body_part": body_part,
                    "modality": modality,
                },
                "sets": [],
            }
            workout["exercises"].append(execution)
        if set_id is not None:
            execution["sets"].append(_set_from_values(set_id, set_values))
    return workouts


def _set_from_values(set_id: uuid.UUID, values: Sequence[Any]) -> JsonDict:
    (position, set_type, weight_kg, reps, duration, distance_m, rpe, rest, completed,
     notes) = values  # fmt: skip
    return {
        "id": set_id,
        "position": position,
        "set_type": set_type,
        "weight_kg": weight_kg,
        "reps": reps,
        "duration_seconds": duration,
        "distance_m": distance_m,
        "rpe": rpe,
        "rest_seconds": rest,
        "completed": completed,
        "notes": notes,
    }


def execution_from_rows(rows: Sequence[Sequence[Any]]) -> JsonDict:
    """An execution with its sets, from `repository.fetch_execution` rows."""
    first = rows[0]
    (_workout_id, exercise_id, position, notes, name, body_part, modality, superset) = first[:8]
    execution: JsonDict = {
        "exercise_id": exercise_id,
        "position": position,
        "notes": notes,
        "superset": superset,
        "exercise": {"id": exercise_id, "name": name, "body_part": body_part, "modality": modality},
        "sets": [],
    }
    for row in rows:
        set_id, *set_values = row[8:]
        if set_id is not None:
            execution["sets"].append(_set_from_values(set_id, set_values))
    return execution
