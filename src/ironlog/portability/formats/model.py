"""The neutral model every format parser produces: workouts, executions and sets with row numbers.

Parsers only read; they never touch the database. The service matches exercise names, removes
duplicates and writes.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, Protocol
from zoneinfo import ZoneInfo

from ironlog.measurements.schemas import MeasurementWrite
from ironlog.models import Modality, SetType
from ironlog.users import schemas as user_schemas


class UnrecognizedFile(ValueError):
    """The file is of no known shape (or not of the shape its `source` says)."""


@dataclass(slots=True, frozen=True)
class RowIssue:
    """A problem with one row of the file (1-based record number; the header is row 1)."""

    row: int | None
    message: str


@dataclass(slots=True)
class SetRecord:
    row: int
    set_type: SetType = SetType.NORMAL
    weight_kg: float | None = None
    reps: int | None = None
    duration_seconds: int | None = None
    distance_m: float | None = None
    rpe: float | None = None
    rest_seconds: int | None = None
    completed: bool = True
    notes: str | None = None


@dataclass(slots=True)
class ExecutionRecord:
    row: int
    exercise_name: str
    notes: str | None = None
    sets: list[SetRecord] = field(default_factory=list)
    # Only IronLog's own files say what an exercise is; trackers' files leave these unset.
    body_part: str | None = None
    modality: Modality | None = None
    # Executions with the same number, adjacent, form a superset (Hevy's superset_id).
    superset: int | None = None
    # Set by the importer once the name is matched to an exercise.
    exercise_id: uuid.UUID | None = None


@dataclass(slots=True)
class WorkoutRecord:
    row: int
    name: str
    started_at: datetime
    finished_at: datetime | None
    notes: str | None
    # Provenance: the stored `source` and `source_key` (unique per user and source).
    source: str
    source_key: str
    # IronLog's own files: the workout's id in the account it was exported from, and that of
    # the routine it was started from (linked again when the file brings that routine).
    original_id: uuid.UUID | None = None
    original_routine_id: uuid.UUID | None = None
    executions: list[ExecutionRecord] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class ExerciseRecord:
    """A custom exercise listed in an IronLog JSON export."""

    name: str
    body_part: str
    modality: Modality
    description: str | None


@dataclass(slots=True, frozen=True)
class BodyMeasurementRecord:
    """An entry of `body_measurements` in an IronLog JSON export, validated as the API does."""

    measurement_date: date
    data: MeasurementWrite


@dataclass(slots=True)
class RoutineExerciseRecord:
    """A routine's exercise: named like an execution; `values` are the API's fields (notes,
    rest_seconds, superset, progression, sets), validated by the routine schema on import."""

    exercise_name: str
    body_part: str | None
    modality: Modality | None
    values: dict[str, Any]


@dataclass(slots=True)
class RoutineRecord:
    """A routine of an IronLog JSON export; `folder` is its folder's name."""

    original_id: uuid.UUID
    name: str
    notes: str | None
    folder: str | None
    exercises: list[RoutineExerciseRecord] = field(default_factory=list)


@dataclass(slots=True)
class ParsedFile:
    format: str
    workouts: list[WorkoutRecord] = field(default_factory=list)
    exercises: list[ExerciseRecord] = field(default_factory=list)
    body_measurements: list[BodyMeasurementRecord] = field(default_factory=list)
    # Entries dropped because an entry of the same date came earlier in the same file.
    body_measurements_repeated: int = 0
    # IronLog JSON only: routine folders (names, in order) and routines.
    folders: list[str] = field(default_factory=list)
    routines: list[RoutineRecord] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    # Workouts dropped because the same workout came earlier in the same file.
    duplicates_in_file: int = 0
    # IronLog's files name exercises exactly; trackers' names get the "Name (Equipment)" rules.
    exact_names: bool = False
    # IronLog's JSON export carries the account's preferences; the import applies them.
    preferences: user_schemas.PreferencesUpdate | None = None


@dataclass(slots=True, frozen=True)
class ParseOptions:
    unit: str = "kg"  # "kg" or "lb", for files that do not say
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))


class Progress(Protocol):
    def __call__(self, rows: int) -> None: ...


BinaryFile = IO[bytes]
