"""Routines as the API shows them, folded from `repository` tree rows (one row per set)."""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from ironlog.workouts import views as workout_views

JsonDict = dict[str, Any]


def etag(routine_id: uuid.UUID, version: int) -> str:
    """A strong ETag, built like a workout's."""
    return workout_views.etag(routine_id, version)


def routines_from_rows(rows: Iterable[Mapping[Any, Any]]) -> list[tuple[JsonDict, int]]:
    """Fold tree rows (in routine, exercise, set order) into routines, each with its version."""
    routines: list[tuple[JsonDict, int]] = []
    routine: JsonDict | None = None
    exercise: JsonDict | None = None
    for row in rows:
        if routine is None or routine["id"] != row["id"]:
            routine = _routine(row)
            routines.append((routine, row["version"]))
            exercise = None
        if row["exercise_id"] is None:
            continue
        if exercise is None or exercise["exercise_id"] != row["exercise_id"]:
            exercise = _exercise(row)
            routine["exercises"].append(exercise)
        if row["set_position"] is not None:
            exercise["sets"].append(_set(row))
    return routines


def _routine(row: Mapping[Any, Any]) -> JsonDict:
    return {
        "id": row["id"],
        "name": row["name"],
        "notes": row["notes"],
        "folder_id": row["folder_id"],
        "position": row["position"],
        "exercises": [],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _exercise(row: Mapping[Any, Any]) -> JsonDict:
    increment = row["increment_kg"]
    return {
        "exercise_id": row["exercise_id"],
        "exercise": {
            "id": row["exercise_id"],
            "name": row["exercise_name"],
            "body_part": row["body_part"],
            "modality": row["modality"],
        },
        "position": row["exercise_position"],
        "notes": row["exercise_notes"],
        "rest_seconds": row["rest_seconds"],
        "superset": row["superset"],
        "progression": None if increment is None else {"increment_kg": float(increment)},
        "sets": [],
    }


def _number(value: Any) -> float | None:
    """A decimal column as a JSON number with a fraction (SQLite hands back 60 for 60.0)."""
    return None if value is None else float(value)


def _set(row: Mapping[Any, Any]) -> JsonDict:
    rep_min, rep_max = row["rep_min"], row["rep_max"]
    return {
        "position": row["set_position"],
        "set_type": row["set_type"],
        "weight_kg": _number(row["weight_kg"]),
        "reps": row["reps"],
        "rep_range": None if rep_min is None else {"min": rep_min, "max": rep_max},
        "duration_seconds": row["duration_seconds"],
        "distance_m": _number(row["distance_m"]),
        "rpe": _number(row["rpe"]),
    }


def folder_json(row: Mapping[Any, Any]) -> JsonDict:
    return {
        "id": row["id"],
        "name": row["name"],
        "position": row["position"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
