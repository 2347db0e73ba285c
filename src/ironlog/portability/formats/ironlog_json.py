"""IronLog's own JSON export: `{format: "ironlog", version: 1, exported_at, user, exercises,
workouts}`, read back for a full round trip. A "row" is a workout's 1-based place in `workouts`.

The document is parsed whole (orjson); the 20 MiB upload limit bounds it.
"""

import uuid
from datetime import date, datetime
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ironlog.core.schemas import BoundedDate
from ironlog.core.units import round_to_gram
from ironlog.measurements.schemas import MeasurementWrite
from ironlog.models import Modality, SetType
from ironlog.portability.formats import common
from ironlog.portability.formats.model import (
    BinaryFile,
    BodyMeasurementRecord,
    ExecutionRecord,
    ExerciseRecord,
    ParsedFile,
    ParseOptions,
    Progress,
    RoutineExerciseRecord,
    RoutineRecord,
    RowIssue,
    SetRecord,
    UnrecognizedFile,
    WorkoutRecord,
)
from ironlog.portability.formats.values import BadValue, check_set, instant_in_range, localize
from ironlog.users import schemas as user_schemas

FORMAT = "ironlog_json"
SOURCE = "ironlog"
VERSION = 1


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class JsonSet(_Lenient):
    set_type: SetType = SetType.NORMAL
    weight_kg: float | None = None
    reps: int | None = None
    duration_seconds: int | None = None
    distance_m: float | None = None
    rpe: float | None = None
    rest_seconds: int | None = None
    completed: bool = True
    notes: str | None = None


class JsonExerciseRef(_Lenient):
    name: str
    body_part: str | None = None
    modality: Modality | None = None


class JsonExecution(_Lenient):
    notes: str | None = None
    superset: int | None = None
    exercise: JsonExerciseRef
    sets: list[JsonSet] = []


class JsonWorkout(_Lenient):
    id: uuid.UUID
    name: str
    notes: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
    source: str | None = None
    source_key: str | None = None
    routine_id: uuid.UUID | None = None
    exercises: list[JsonExecution] = []


class JsonRoutineExercise(_Lenient):
    exercise: JsonExerciseRef
    notes: str | None = None
    rest_seconds: Any = None
    superset: Any = None
    progression: Any = None
    sets: list[Any] = []


class JsonRoutine(_Lenient):
    id: uuid.UUID
    name: str
    notes: str | None = None
    folder_id: uuid.UUID | None = None
    exercises: list[JsonRoutineExercise] = []


class JsonFolder(_Lenient):
    id: uuid.UUID
    name: str


class JsonExercise(_Lenient):
    name: str
    body_part: str = "other"
    modality: Modality
    description: str | None = None


def looks_like(sample: bytes) -> bool:
    return sample.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")


def parse(file: BinaryFile, options: ParseOptions, progress: Progress | None) -> ParsedFile:
    file.seek(0)
    try:
        document = orjson.loads(file.read().removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as error:
        raise UnrecognizedFile(f"the file is not valid JSON ({error})") from None
    if not (
        isinstance(document, dict)
        and document.get("format") == "ironlog"
        and isinstance(document.get("workouts"), list)
    ):
        raise UnrecognizedFile("the JSON document is not an IronLog export")
    if document.get("version") != VERSION:
        raise UnrecognizedFile(f"IronLog export version {document.get('version')!r} is unknown")
    parsed = ParsedFile(format=FORMAT, exact_names=True)
    _read_preferences(parsed, document.get("preferences"))
    for number, item in enumerate(document.get("exercises") or [], start=1):
        try:
            exercise = JsonExercise.model_validate(item)
        except ValidationError as error:
            parsed.warnings.append(
                RowIssue(None, f"exercises[{number}] ignored: {_explain(error)}")
            )
            continue
        parsed.exercises.append(
            ExerciseRecord(
                name=" ".join(exercise.name.split())[: common.NAME_MAX],
                body_part=exercise.body_part.strip().lower()[:50] or "other",
                modality=exercise.modality,
                description=(exercise.description or "").strip()[:2000] or None,
            )
        )
    _read_body_measurements(parsed, document.get("body_measurements") or [])
    _read_routines(parsed, document)
    seen: set[tuple[str, str]] = set()
    workouts: list[Any] = document["workouts"]
    for number, item in enumerate(workouts, start=1):
        try:
            workout = _read_workout(parsed, number, item, options)
        except (ValidationError, BadValue) as error:
            message = _explain(error) if isinstance(error, ValidationError) else str(error)
            parsed.errors.append(RowIssue(number, message))
            continue
        key = (workout.source, workout.source_key)
        if key in seen:
            parsed.duplicates_in_file += 1
            continue
        seen.add(key)
        parsed.workouts.append(workout)
        if progress is not None and number % 100 == 0:
            progress(number)
    common.check_workouts(parsed)
    return parsed


def _read_preferences(parsed: ParsedFile, item: Any) -> None:
    """The export's preferences (exports before they existed have none: nothing changes)."""
    if item is None:
        return
    try:
        parsed.preferences = user_schemas.PreferencesUpdate.model_validate(item)
    except ValidationError as error:
        parsed.warnings.append(RowIssue(None, f"preferences ignored: {_explain(error)}"))


_DATE = TypeAdapter(BoundedDate)


def _read_body_measurements(parsed: ParsedFile, items: Any) -> None:
    """`body_measurements`, each checked as `PUT /body-measurements/{date}` checks it; an entry
    that fails is an error of the file (reported without a row: rows number the workouts)."""
    if not isinstance(items, list):
        parsed.errors.append(RowIssue(None, "body_measurements: must be a list"))
        return
    dates: set[date] = set()
    for number, item in enumerate(items, start=1):
        try:
            if not isinstance(item, dict):
                raise BadValue("must be an object")
            measurement_date = _DATE.validate_python(item.get("date"))
            values = {name: item[name] for name in MeasurementWrite.model_fields if name in item}
            data = MeasurementWrite.model_validate(values)
        except (ValidationError, BadValue) as error:
            message = _explain(error) if isinstance(error, ValidationError) else str(error)
            parsed.errors.append(RowIssue(None, f"body_measurements[{number}]: {message}"))
            continue
        if measurement_date in dates:
            parsed.body_measurements_repeated += 1
            continue
        dates.add(measurement_date)
        parsed.body_measurements.append(BodyMeasurementRecord(measurement_date, data))


def _read_workout(
    parsed: ParsedFile, number: int, item: Any, options: ParseOptions
) -> WorkoutRecord:
    data = JsonWorkout.model_validate(item)
    started_at = _instant(data.started_at, options)
    source, source_key = SOURCE, str(data.id)
    if data.source and data.source_key:
        source, source_key = data.source[:32], data.source_key[:255]
    workout = WorkoutRecord(
        row=number,
        name=common.workout_name(parsed, number, data.name),
        started_at=started_at,
        finished_at=_instant(data.finished_at, options) if data.finished_at else None,
        notes=common.fit(parsed, number, data.notes, common.WORKOUT_NOTES_MAX, "notes"),
        source=source,
        source_key=source_key,
        original_id=data.id,
        original_routine_id=data.routine_id,
    )
    for execution in data.exercises:
        record = ExecutionRecord(
            row=number,
            exercise_name=common.exercise_name(parsed, number, execution.exercise.name),
            notes=common.fit(parsed, number, execution.notes, common.NOTES_MAX, "notes"),
            body_part=(execution.exercise.body_part or "").strip().lower()[:50] or None,
            modality=execution.exercise.modality,
            superset=execution.superset,
        )
        for item_set in execution.sets:
            record.sets.append(_read_set(parsed, number, item_set))
        workout.executions.append(record)
    return workout


def _read_routines(parsed: ParsedFile, document: dict[str, Any]) -> None:
    """Routine folders and routines (exports before routines have neither). One that cannot
    be read is left out with a warning: the workouts are what an import is for."""
    folders: dict[uuid.UUID, str] = {}
    for number, item in enumerate(document.get("routine_folders") or [], start=1):
        try:
            folder = JsonFolder.model_validate(item)
        except ValidationError as error:
            parsed.warnings.append(
                RowIssue(None, f"routine_folders[{number}] ignored: {_explain(error)}")
            )
            continue
        folders[folder.id] = folder.name
        parsed.folders.append(folder.name)
    for number, item in enumerate(document.get("routines") or [], start=1):
        try:
            routine = JsonRoutine.model_validate(item)
        except ValidationError as error:
            parsed.warnings.append(RowIssue(None, f"routines[{number}] ignored: {_explain(error)}"))
            continue
        parsed.routines.append(
            RoutineRecord(
                original_id=routine.id,
                name=routine.name,
                notes=routine.notes,
                folder=folders.get(routine.folder_id) if routine.folder_id else None,
                exercises=[
                    RoutineExerciseRecord(
                        exercise_name=" ".join(exercise.exercise.name.split())[: common.NAME_MAX],
                        body_part=(exercise.exercise.body_part or "").strip().lower()[:50] or None,
                        modality=exercise.exercise.modality,
                        values=_routine_exercise_values(exercise),
                    )
                    for exercise in routine.exercises
                ],
            )
        )


def _routine_exercise_values(exercise: JsonRoutineExercise) -> dict[str, Any]:
    """The fields the routine schema takes; a set's `position` is its place in the list."""
    values = exercise.model_dump(exclude={"exercise"})
    values["sets"] = [
        {key: value for key, value in item.items() if key != "position"}
        if isinstance(item, dict)
        else item
        for item in exercise.sets
    ]
    return values


def _read_set(parsed: ParsedFile, number: int, data: JsonSet) -> SetRecord:
    record = SetRecord(
        row=number,
        set_type=data.set_type,
        weight_kg=None if data.weight_kg is None else round_to_gram(data.weight_kg),
        reps=data.reps,
        duration_seconds=data.duration_seconds,
        distance_m=None if data.distance_m is None else round(data.distance_m, 2),
        rpe=data.rpe,
        rest_seconds=data.rest_seconds,
        completed=data.completed,
        notes=common.fit(parsed, number, data.notes, common.NOTES_MAX, "notes"),
    )
    check_set(record)
    return record


def _instant(moment: datetime, options: ParseOptions) -> datetime:
    return localize(moment, options.timezone) if moment.tzinfo is None else instant_in_range(moment)


def _explain(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"
