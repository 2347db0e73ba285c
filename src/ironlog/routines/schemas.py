"""Request bodies and response shapes of routines (workout templates) and their folders."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, ConfigDict, Field, Strict, model_validator
from pydantic.json_schema import SkipJsonSchema

from ironlog.core.schemas import (
    InputModel,
    LongText,
    Name,
    OutputModel,
    ShortText,
    UtcDatetime,
    refuse_null,
)
from ironlog.core.units import LEAST_GRAM, round_to_gram
from ironlog.models import SetType
from ironlog.workouts.schemas import (
    MAX_EXERCISES_PER_WORKOUT,
    MAX_SETS_PER_EXERCISE,
    DurationSeconds,
    ExerciseSummary,
    Kilograms,
    Metres,
    Reps,
    RestSeconds,
    Rpe,
    Superset,
)

MAX_ROUTINES_IN_ORDER = 1000


# A progression step: at least a gram once rounded, at most 100 kg, rounded to the gram like a
# weight.
Increment = Annotated[
    float,
    Strict(),
    Field(
        ge=LEAST_GRAM,
        le=100,
        description=f"Kilograms ({LEAST_GRAM}..100), rounded to the gram (half away from zero).",
    ),
    AfterValidator(round_to_gram),
]


class RepRange(InputModel):
    """A target range of reps: `min` <= `max`."""

    model_config = ConfigDict(json_schema_extra={"example": {"min": 8, "max": 12}})

    min: Reps
    max: Reps

    @model_validator(mode="after")
    def ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError("rep_range min must not be above max")
        return self


class Progression(InputModel):
    """Raise the target weights by `increment_kg` once every working set reached its target."""

    model_config = ConfigDict(json_schema_extra={"example": {"increment_kg": 2.5}})

    increment_kg: Increment


ROUTINE_SET_EXAMPLE: dict[str, Any] = {
    "set_type": "normal",
    "weight_kg": 60.0,
    "reps": None,
    "rep_range": {"min": 8, "max": 12},
    "rpe": 8.0,
}


class RoutineSetWrite(InputModel):
    """A target set. It needs reps, rep_range, duration_seconds or distance_m."""

    model_config = ConfigDict(json_schema_extra={"example": ROUTINE_SET_EXAMPLE})

    set_type: SetType = SetType.NORMAL
    weight_kg: Kilograms | None = None
    reps: Reps | None = None
    rep_range: RepRange | None = None
    duration_seconds: DurationSeconds | None = None
    distance_m: Metres | None = None
    rpe: Rpe | None = None

    @model_validator(mode="after")
    def needs_a_target(self) -> Self:
        targets = (self.reps, self.rep_range, self.duration_seconds, self.distance_m)
        if all(target is None for target in targets):
            raise ValueError("a set needs reps, rep_range, duration_seconds or distance_m")
        return self


ROUTINE_EXERCISE_EXAMPLE: dict[str, Any] = {
    "exercise_id": "5d1e2c3b-4a59-4f6e-8d7c-1b2a3c4d5e6f",
    "notes": "Pause at the chest",
    "rest_seconds": 120,
    "superset": None,
    "progression": {"increment_kg": 2.5},
    "sets": [ROUTINE_SET_EXAMPLE],
}


class RoutineExerciseWrite(InputModel):
    model_config = ConfigDict(json_schema_extra={"example": ROUTINE_EXERCISE_EXAMPLE})

    exercise_id: uuid.UUID
    notes: ShortText = None
    rest_seconds: RestSeconds | None = None
    superset: Superset | None = None
    progression: Progression | None = None
    sets: Annotated[list[RoutineSetWrite], Field(max_length=MAX_SETS_PER_EXERCISE)] = Field(
        default_factory=list
    )


RoutineExercises = Annotated[
    list[RoutineExerciseWrite], Field(max_length=MAX_EXERCISES_PER_WORKOUT)
]

ROUTINE_WRITE_EXAMPLE: dict[str, Any] = {
    "name": "Push A",
    "notes": "Heavy bench first",
    "folder_id": None,
    "exercises": [ROUTINE_EXERCISE_EXAMPLE],
}


class RoutineCreate(InputModel):
    """A new routine with its exercises and target sets; offline clients may choose the id."""

    model_config = ConfigDict(json_schema_extra={"example": ROUTINE_WRITE_EXAMPLE})

    id: uuid.UUID | None = None
    name: Name
    notes: LongText = None
    folder_id: uuid.UUID | None = None
    exercises: RoutineExercises = Field(default_factory=list)


class RoutineReplace(InputModel):
    """The whole routine: name, notes, folder and exercises are replaced (an omitted folder_id
    moves it out of its folder). Its place in the order is kept."""

    model_config = ConfigDict(json_schema_extra={"example": ROUTINE_WRITE_EXAMPLE})

    name: Name
    notes: LongText = None
    folder_id: uuid.UUID | None = None
    exercises: RoutineExercises = Field(default_factory=list)


class RoutinePatch(InputModel):
    model_config = ConfigDict(json_schema_extra={"example": {"name": "Push B", "folder_id": None}})

    # Omit name to keep it; it cannot be null. A null folder_id moves the routine out.
    name: Name | SkipJsonSchema[None] = None
    notes: LongText = None
    folder_id: uuid.UUID | None = None

    _no_null = refuse_null("name")


class SaveAsRoutine(InputModel):
    model_config = ConfigDict(json_schema_extra={"example": {"name": "Push A", "folder_id": None}})

    name: Name
    folder_id: uuid.UUID | None = None


class StartRoutine(InputModel):
    """Optional: the new workout's id (offline clients) and start (default now)."""

    model_config = ConfigDict(json_schema_extra={"example": {"started_at": "2026-11-20T17:30:00Z"}})

    id: uuid.UUID | None = None
    started_at: UtcDatetime | None = Field(None, description="Defaults to now.")


class OrderRequest(InputModel):
    """Every id, once, in the new order."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "ids": [
                    "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a",
                    "7e6d5c4b-3a29-4f18-8e07-d6c5b4a39281",
                ]
            }
        }
    )

    ids: Annotated[list[uuid.UUID], Field(max_length=MAX_ROUTINES_IN_ORDER)]


FOLDER_WRITE_EXAMPLE: dict[str, Any] = {"name": "Push / Pull / Legs"}


class FolderCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"example": FOLDER_WRITE_EXAMPLE})

    id: uuid.UUID | None = None
    name: Name


class FolderWrite(InputModel):
    """PUT and PATCH of a folder: its name."""

    model_config = ConfigDict(json_schema_extra={"example": FOLDER_WRITE_EXAMPLE})

    name: Name


# Responses.

ROUTINE_SET_READ_EXAMPLE: dict[str, Any] = {
    "position": 0,
    "set_type": "normal",
    "weight_kg": 60.0,
    "reps": None,
    "rep_range": {"min": 8, "max": 12},
    "duration_seconds": None,
    "distance_m": None,
    "rpe": 8.0,
}
ROUTINE_READ_EXAMPLE: dict[str, Any] = {
    "id": "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a",
    "name": "Push A",
    "notes": "Heavy bench first",
    "folder_id": None,
    "position": 0,
    "exercises": [
        {
            "exercise_id": "5d1e2c3b-4a59-4f6e-8d7c-1b2a3c4d5e6f",
            "exercise": {
                "id": "5d1e2c3b-4a59-4f6e-8d7c-1b2a3c4d5e6f",
                "name": "Bench Press",
                "body_part": "chest",
                "modality": "BARBELL",
            },
            "position": 0,
            "notes": "Pause at the chest",
            "rest_seconds": 120,
            "superset": None,
            "progression": {"increment_kg": 2.5},
            "sets": [ROUTINE_SET_READ_EXAMPLE],
        }
    ],
    "created_at": "2026-11-20T17:30:02Z",
    "updated_at": "2026-11-20T17:41:10Z",
}
FOLDER_READ_EXAMPLE: dict[str, Any] = {
    "id": "7e6d5c4b-3a29-4f18-8e07-d6c5b4a39281",
    "name": "Push / Pull / Legs",
    "position": 0,
    "created_at": "2026-11-20T17:30:02Z",
    "updated_at": "2026-11-20T17:30:02Z",
}


class RepRangeRead(OutputModel):
    min: int
    max: int


class ProgressionRead(OutputModel):
    increment_kg: float


class RoutineSetRead(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": ROUTINE_SET_READ_EXAMPLE})

    position: int
    set_type: SetType
    weight_kg: float | None
    reps: int | None
    rep_range: RepRangeRead | None
    duration_seconds: int | None
    distance_m: float | None
    rpe: float | None


class RoutineExerciseRead(OutputModel):
    exercise_id: uuid.UUID
    exercise: ExerciseSummary
    position: int
    notes: str | None
    rest_seconds: int | None
    superset: int | None
    progression: ProgressionRead | None
    sets: list[RoutineSetRead]


class RoutineRead(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": ROUTINE_READ_EXAMPLE})

    id: uuid.UUID
    name: str
    notes: str | None
    folder_id: uuid.UUID | None
    position: int
    exercises: list[RoutineExerciseRead]
    created_at: datetime
    updated_at: datetime


class FolderRead(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": FOLDER_READ_EXAMPLE})

    id: uuid.UUID
    name: str
    position: int
    created_at: datetime
    updated_at: datetime
