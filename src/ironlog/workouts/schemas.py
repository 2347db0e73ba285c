"""Request bodies (validated) and response shapes (documented).

Responses of the workout routes are built as plain dicts by the read model (`views.py`) and
serialised once; the `*Read` models here describe them in OpenAPI, and every body the workout
tests are served is validated against that document with unknown keys refused.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue, SkipJsonSchema
from pydantic_core import CoreSchema

from ironlog.core.schemas import (
    InputModel,
    LongText,
    Name,
    OutputModel,
    ShortText,
    UtcDatetime,
    refuse_null,
)
from ironlog.core.units import round_to_centimetre, round_to_gram
from ironlog.models import Modality, SetType, WorkoutStatus

MAX_EXERCISES_PER_WORKOUT = 100
MAX_SETS_PER_EXERCISE = 100


def _half_steps(value: float) -> float:
    if (value * 2) != int(value * 2):
        raise ValueError("must be a multiple of 0.5")
    return value


def _whole_number(value: object) -> object:
    # JSON does not tell 5 from 5.0 (JSON Schema's `integer` takes both): a float without a
    # fraction is that integer. 5.5 and "5" are still refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Numbers must be JSON numbers: "80" as a string is refused (Strict).
@dataclass(frozen=True, slots=True)
class _Step:
    """Documents a number's step as `multipleOf` (validated by the validators above, which
    allow for binary floats)."""

    step: float

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["multipleOf"] = self.step
        return json_schema


# Any precision is accepted and rounded (core/units.py): 225 lb, 102.05828 kg, is 102.058; one
# mile, 1609.344 m, is 1609.34. Clients that convert units send what they computed.
Kilograms = Annotated[
    float,
    Strict(),
    Field(ge=0, le=1000, description="Kilograms, rounded to the gram (half away from zero)."),
    AfterValidator(round_to_gram),
]
Metres = Annotated[
    float,
    Strict(),
    Field(
        ge=0, le=1_000_000, description="Metres, rounded to the centimetre (half away from zero)."
    ),
    AfterValidator(round_to_centimetre),
]
Rpe = Annotated[float, Strict(), Field(ge=1, le=10), AfterValidator(_half_steps), _Step(0.5)]
Reps = Annotated[int, Strict(), Field(ge=0, le=1000), BeforeValidator(_whole_number)]
DurationSeconds = Annotated[int, Strict(), Field(ge=0, le=86_400), BeforeValidator(_whole_number)]
RestSeconds = Annotated[int, Strict(), Field(ge=0, le=10_800), BeforeValidator(_whole_number)]
MAX_SUPERSET = 99
Superset = Annotated[
    int,
    Strict(),
    Field(
        ge=0,
        le=MAX_SUPERSET,
        description="Executions with the same number, adjacent in order, form a superset.",
    ),
    BeforeValidator(_whole_number),
]
# A workout logged after the fact lasts at most a week.
WorkoutSeconds = Annotated[int, Strict(), Field(ge=0, le=604_800), BeforeValidator(_whole_number)]

SET_EXAMPLE: dict[str, Any] = {
    "set_type": "normal",
    "weight_kg": 80.0,
    "reps": 5,
    "rpe": 8.0,
    "rest_seconds": 120,
    "completed": True,
}


class SetWrite(InputModel):
    """A set as a client sends it. It needs reps, duration_seconds or distance_m."""

    # The "needs a measure" rule is stated in the description rather than as a schema-level
    # anyOf: client generators (openapi-python-client) turn such a schema into a union instead
    # of a model. A set without one is 422 `validation_error`.
    model_config = ConfigDict(json_schema_extra={"example": SET_EXAMPLE})

    set_type: SetType = SetType.NORMAL
    weight_kg: Kilograms | None = None
    reps: Reps | None = None
    duration_seconds: DurationSeconds | None = None
    distance_m: Metres | None = None
    rpe: Rpe | None = None
    rest_seconds: RestSeconds | None = None
    completed: Annotated[bool, Strict()] = True
    notes: ShortText = None

    @model_validator(mode="after")
    def needs_a_measure(self) -> Self:
        if self.reps is None and self.duration_seconds is None and self.distance_m is None:
            raise ValueError("a set needs reps, duration_seconds or distance_m")
        return self


class SetPatch(InputModel):
    """The fields of a set to change; the others keep their values."""

    model_config = ConfigDict(json_schema_extra={"example": {"weight_kg": 82.5, "reps": 5}})

    # Omit set_type or completed to keep them; they cannot be null.
    set_type: SetType | SkipJsonSchema[None] = None
    weight_kg: Kilograms | None = None
    reps: Reps | None = None
    duration_seconds: DurationSeconds | None = None
    distance_m: Metres | None = None
    rpe: Rpe | None = None
    rest_seconds: RestSeconds | None = None
    completed: Annotated[bool, Strict()] | SkipJsonSchema[None] = None
    notes: ShortText = None

    _no_null = refuse_null("set_type", "completed")


Sets = Annotated[list[SetWrite], Field(max_length=MAX_SETS_PER_EXERCISE)]


class ExecutionWrite(InputModel):
    """An exercise inside a workout, with its sets in order."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "exercise_id": "5d1e2c3b-4a59-4f6e-8d7c-1b2a3c4d5e6f",
                "notes": "Paused reps",
                "sets": [SET_EXAMPLE],
            }
        }
    )

    exercise_id: uuid.UUID
    notes: ShortText = None
    superset: Superset | None = None
    sets: Sets = Field(default_factory=list)


class ExecutionPatch(InputModel):
    """Change the notes or the superset number, or replace the sets (the whole list, in
    order)."""

    model_config = ConfigDict(json_schema_extra={"example": {"notes": "Belt from set 3"}})

    notes: ShortText = None
    superset: Superset | None = None
    sets: Sets | None = None


Executions = Annotated[list[ExecutionWrite], Field(max_length=MAX_EXERCISES_PER_WORKOUT)]

WORKOUT_WRITE_EXAMPLE: dict[str, Any] = {
    "name": "Push day",
    "started_at": "2026-11-20T17:30:00Z",
    "exercises": [{"exercise_id": "5d1e2c3b-4a59-4f6e-8d7c-1b2a3c4d5e6f", "sets": [SET_EXAMPLE]}],
}


class WorkoutCreate(InputModel):
    """A new workout, optionally with its whole tree and a client-chosen id (offline clients).

    A past workout is logged in one call with `status: "finished"` and `finished_at` or
    `duration_seconds` (`finished_at` = `started_at` + `duration_seconds`). Without `started_at`,
    a finished workout with a duration ends at `finished_at` (or now) and starts that much
    earlier; without a duration it starts now, as any workout does.
    """

    model_config = ConfigDict(json_schema_extra={"example": WORKOUT_WRITE_EXAMPLE})

    id: uuid.UUID | None = None
    name: Name
    notes: LongText = None
    status: WorkoutStatus = Field(
        WorkoutStatus.IN_PROGRESS, description="`finished` logs a past workout in one call."
    )
    started_at: UtcDatetime | None = Field(
        None,
        description="Defaults to now (for a finished workout with `duration_seconds`: its end "
        "minus its duration).",
    )
    finished_at: UtcDatetime | None = Field(
        None, description="Only with `status: finished`; not before `started_at`."
    )
    duration_seconds: WorkoutSeconds | None = Field(
        None, description="Only with `status: finished`: `finished_at` is `started_at` plus this."
    )
    exercises: Executions = Field(default_factory=list)

    @model_validator(mode="after")
    def finished_needs_an_end(self) -> Self:
        if self.status != WorkoutStatus.FINISHED:
            if self.finished_at is not None or self.duration_seconds is not None:
                raise ValueError('finished_at and duration_seconds need status "finished"')
            return self
        if self.finished_at is None and self.duration_seconds is None:
            raise ValueError("a finished workout needs finished_at or duration_seconds")
        if self.started_at is not None and self.finished_at is not None:
            if self.finished_at < self.started_at:
                raise ValueError("finished_at must not be before started_at")
            elapsed = int((self.finished_at - self.started_at).total_seconds())
            if self.duration_seconds is not None and elapsed != self.duration_seconds:
                raise ValueError("duration_seconds must equal finished_at - started_at")
        return self

    def times(self, now: datetime) -> tuple[datetime, datetime | None]:
        """(started_at, finished_at) of the new workout, `now` standing in for what is omitted."""
        if self.status != WorkoutStatus.FINISHED:
            return self.started_at or now, None
        if self.duration_seconds is None:  # then finished_at is set
            return self.started_at or now, self.finished_at
        duration = timedelta(seconds=self.duration_seconds)
        if self.started_at is None:
            finished_at = self.finished_at or now
            return finished_at - duration, finished_at
        return self.started_at, self.finished_at or self.started_at + duration


class WorkoutReplace(InputModel):
    """The whole workout: name, notes and tree are replaced; `started_at` when given."""

    model_config = ConfigDict(json_schema_extra={"example": WORKOUT_WRITE_EXAMPLE})

    name: Name
    notes: LongText = None
    started_at: UtcDatetime | None = Field(None, description="Unchanged when omitted.")
    exercises: Executions = Field(default_factory=list)


class WorkoutPatch(InputModel):
    model_config = ConfigDict(json_schema_extra={"example": {"name": "Heavy push day"}})

    # Omit name or started_at to keep them; they cannot be null.
    name: Name | SkipJsonSchema[None] = None
    notes: LongText = None
    started_at: UtcDatetime | SkipJsonSchema[None] = None

    _no_null = refuse_null("name", "started_at")


class FinishRequest(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"finished_at": "2026-11-20T18:45:00Z"}}
    )

    finished_at: UtcDatetime | None = Field(None, description="Defaults to now.")


class ReorderRequest(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "exercise_ids": [
                    "5d1e2c3b-4a59-4f6e-8d7c-1b2a3c4d5e6f",
                    "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                ]
            }
        }
    )

    exercise_ids: Annotated[list[uuid.UUID], Field(max_length=MAX_EXERCISES_PER_WORKOUT)]


# Response shapes, with one example of each, nested in each other as the API nests them.

SET_READ_EXAMPLE: dict[str, Any] = {
    "id": "9f2a1b3c-4d5e-4f60-8a7b-6c5d4e3f2a1b",
    "position": 0,
    "set_type": "normal",
    "weight_kg": 80.0,
    "reps": 5,
    "duration_seconds": None,
    "distance_m": None,
    "rpe": 8.0,
    "rest_seconds": 120,
    "completed": True,
    "notes": None,
}
EXECUTION_READ_EXAMPLE: dict[str, Any] = {
    "exercise_id": "5d1e2c3b-4a59-4f6e-8d7c-1b2a3c4d5e6f",
    "position": 0,
    "notes": None,
    "superset": None,
    "exercise": {
        "id": "5d1e2c3b-4a59-4f6e-8d7c-1b2a3c4d5e6f",
        "name": "Bench Press",
        "body_part": "chest",
        "modality": "BARBELL",
    },
    "sets": [SET_READ_EXAMPLE],
}
WORKOUT_READ_EXAMPLE: dict[str, Any] = {
    "id": "0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e",
    "name": "Push day",
    "notes": None,
    "status": "in_progress",
    "started_at": "2026-11-20T17:30:00Z",
    "finished_at": None,
    "duration_seconds": None,
    "routine_id": None,
    "created_at": "2026-11-20T17:30:02Z",
    "updated_at": "2026-11-20T17:41:10Z",
    "exercises": [EXECUTION_READ_EXAMPLE],
}


class SetRead(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": SET_READ_EXAMPLE})

    id: uuid.UUID
    position: int
    set_type: SetType
    weight_kg: float | None
    reps: int | None
    duration_seconds: int | None
    distance_m: float | None
    rpe: float | None
    rest_seconds: int | None
    completed: bool
    notes: str | None


class ExerciseSummary(OutputModel):
    id: uuid.UUID
    name: str
    body_part: str
    modality: Modality


class ExecutionRead(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": EXECUTION_READ_EXAMPLE})

    exercise_id: uuid.UUID
    position: int
    notes: str | None
    superset: int | None
    exercise: ExerciseSummary
    sets: list[SetRead]


class WorkoutRead(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": WORKOUT_READ_EXAMPLE})

    id: uuid.UUID
    name: str
    notes: str | None
    status: WorkoutStatus
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: int | None
    routine_id: uuid.UUID | None = Field(description="The routine it was started from.")
    created_at: datetime
    updated_at: datetime
    exercises: list[ExecutionRead]
