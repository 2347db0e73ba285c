"""The workout read model: the one place that knows the JSON shape of a workout, an execution,
an exercise and a set.

Each shape is a tuple of field names, in the order the API serves them. The repository selects
its columns by these names (`repository.reads`), so a row is that tuple's values in that order;
the create and change paths pass the mappings they inserted. Either way the bodies of GET, the
list, create, every change, the export and the sync feed are built by the functions below, and
by nothing else. Rows become dicts here and are serialised once by orjson (docs/workouts.md);
`tests/workouts` validates every served body against the OpenAPI document, unknown keys refused.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

JsonDict = dict[str, Any]

# The fields each shape serves, in order. `duration_seconds` (derived) and the nested lists are
# added by the functions below; `version` is read with the workout for its ETag, never served.
WORKOUT_HEAD = ("id", "name", "notes", "status", "started_at", "finished_at")
WORKOUT_TAIL = ("routine_id", "created_at", "updated_at")
WORKOUT_FIELDS = (*WORKOUT_HEAD, *WORKOUT_TAIL)
EXECUTION_FIELDS = ("exercise_id", "position", "notes", "superset")
EXERCISE_FIELDS = ("id", "name", "body_part", "modality")
SET_FIELDS = (
    "id",
    "position",
    "set_type",
    "weight_kg",
    "reps",
    "duration_seconds",
    "distance_m",
    "rpe",
    "rest_seconds",
    "completed",
    "notes",
)


def etag(workout_id: uuid.UUID, version: int) -> str:
    """A strong ETag; the version changes with every change to the workout or its tree."""
    return f'"{workout_id.hex}.{version}"'


def duration_seconds(started_at: datetime, finished_at: datetime | None) -> int | None:
    if finished_at is None:
        return None
    return int((finished_at - started_at).total_seconds())


def workout_json(values: Mapping[Any, Any], exercises: list[JsonDict], **extra: Any) -> JsonDict:
    """A workout as the API shows it; `extra` fields (the export's provenance) go before
    `routine_id`."""
    body = {field: values[field] for field in WORKOUT_HEAD}
    body["duration_seconds"] = duration_seconds(values["started_at"], values["finished_at"])
    body.update(extra)
    for field in WORKOUT_TAIL:
        body[field] = values[field]
    body["exercises"] = exercises
    return body


def execution_json(
    values: Mapping[Any, Any], exercise: Mapping[Any, Any], sets: list[JsonDict]
) -> JsonDict:
    """An execution with its embedded exercise and its sets."""
    body = {field: values[field] for field in EXECUTION_FIELDS}
    body["exercise"] = {field: exercise[field] for field in EXERCISE_FIELDS}
    body["sets"] = sets
    return body


def set_json(values: Mapping[Any, Any]) -> JsonDict:
    """A set as the API shows it, from a row mapping or the dict that was inserted."""
    return {field: values[field] for field in SET_FIELDS}


# A tree row (`repository.reads.TREE_COLUMNS`) is the workout's fields and its version, the
# execution's, the exercise's but its id (the execution's exercise_id), then the set's: the
# positions below follow from the field tuples, never from counting by hand.
_W = len(WORKOUT_FIELDS)
_VERSION = _W
_E = _W + 1
_X = _E + len(EXECUTION_FIELDS)
_S = _X + len(EXERCISE_FIELDS) - 1
_END = _S + len(SET_FIELDS)
TREE_ROW_WIDTH = _END


def _reader(fields: Iterable[tuple[str, int]]) -> Callable[[Sequence[Any]], JsonDict]:
    """`row -> {field: row[index], ...}` as one dict literal, compiled once from the field names
    (as `dataclasses` does): three times faster than zipping names and values for every row,
    and the fold runs once per set."""
    items = ", ".join(f"{field!r}: row[{index}]" for field, index in fields)
    namespace: dict[str, Any] = {}
    exec(f"def read(row):\n    return {{{items}}}", namespace)  # noqa: S102 - constant names
    read: Callable[[Sequence[Any]], JsonDict] = namespace["read"]
    return read


def _offset(fields: tuple[str, ...], start: int) -> Iterable[tuple[str, int]]:
    return zip(fields, range(start, start + len(fields)), strict=True)


_workout_values = _reader(_offset(WORKOUT_FIELDS, 0))
_execution_values = _reader(_offset(EXECUTION_FIELDS, _E))
_exercise_values = _reader(zip(EXERCISE_FIELDS, (_E, *range(_X, _S)), strict=True))
_set_values = _reader(_offset(SET_FIELDS, _S))


def trees_from_rows(rows: Iterable[Sequence[Any]]) -> list[tuple[JsonDict, int]]:
    """Fold tree rows (ordered by workout, execution position, set position) into workouts,
    each with its version. Columns past the tree's (a page's total) are ignored."""
    workouts: list[tuple[JsonDict, int]] = []
    workout: JsonDict | None = None
    execution: JsonDict | None = None
    for row in rows:
        if workout is None or workout["id"] != row[0]:
            workout = workout_json(_workout_values(row), [])
            workouts.append((workout, row[_VERSION]))
            execution = None
        exercise_id = row[_E]
        if exercise_id is None:
            continue
        if execution is None or execution["exercise_id"] != exercise_id:
            execution = execution_json(_execution_values(row), _exercise_values(row), [])
            workout["exercises"].append(execution)
        if row[_S] is not None:
            execution["sets"].append(_set_values(row))
    return workouts


def execution_from_rows(rows: Sequence[Sequence[Any]]) -> JsonDict:
    """An execution with its sets, from `repository.fetch_execution` rows: the tree's columns
    from the execution's on."""
    padding = (None,) * _E
    [(workout, _version)] = trees_from_rows([(*padding, *row) for row in rows])
    execution: JsonDict = workout["exercises"][0]
    return execution
