"""Body measurements as clients send and read them."""

import uuid
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, Self

from pydantic import AfterValidator, ConfigDict, Field, Strict, model_validator

from ironlog.core.schemas import InputModel, OutputModel, ShortText
from ironlog.core.units import round_half_up, round_to_gram
from ironlog.models.body_measurement import CIRCUMFERENCES

_hundredths = partial(round_half_up, places=2)

# The fields that are numbers: an entry needs at least one.
NUMBERS = ("weight_kg", "body_fat_pct", *CIRCUMFERENCES)

# Numbers must be JSON numbers ("80" is refused). Any precision is accepted and rounded, half
# away from zero: weights to the gram, percentages and centimetres to two decimals.
BodyWeight = Annotated[
    float,
    Strict(),
    Field(ge=20, le=500, description="Kilograms (20..500), rounded to the gram."),
    AfterValidator(round_to_gram),
]
BodyFat = Annotated[
    float,
    Strict(),
    Field(ge=1, le=75, description="Percent (1..75), rounded to two decimals."),
    AfterValidator(_hundredths),
]
Centimetres = Annotated[
    float,
    Strict(),
    Field(ge=1, le=300, description="Centimetres (1..300), rounded to two decimals."),
    AfterValidator(_hundredths),
]

WRITE_EXAMPLE: dict[str, Any] = {
    "weight_kg": 82.35,
    "body_fat_pct": 16.5,
    "waist": 84.0,
    "arm_left": 38.5,
    "arm_right": 38.8,
    "notes": "Morning, before breakfast",
}
READ_EXAMPLE: dict[str, Any] = {
    "id": "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a",
    "date": "2026-11-20",
    "weight_kg": 82.35,
    "body_fat_pct": 16.5,
    **dict.fromkeys(CIRCUMFERENCES),
    "waist": 84.0,
    "arm_left": 38.5,
    "arm_right": 38.8,
    "notes": "Morning, before breakfast",
    "created_at": "2026-11-20T06:45:10Z",
    "updated_at": "2026-11-20T06:45:10Z",
}


class MeasurementWrite(InputModel):
    """The whole entry of one date: what is omitted is null (a replace, not a merge). It needs
    at least one number: notes alone are not a measurement."""

    model_config = ConfigDict(json_schema_extra={"example": WRITE_EXAMPLE})

    weight_kg: BodyWeight | None = None
    body_fat_pct: BodyFat | None = None
    neck: Centimetres | None = None
    chest: Centimetres | None = None
    waist: Centimetres | None = None
    hips: Centimetres | None = None
    arm_left: Centimetres | None = None
    arm_right: Centimetres | None = None
    thigh_left: Centimetres | None = None
    thigh_right: Centimetres | None = None
    calf_left: Centimetres | None = None
    calf_right: Centimetres | None = None
    notes: ShortText = None

    @model_validator(mode="after")
    def needs_a_number(self) -> Self:
        if all(getattr(self, name) is None for name in NUMBERS):
            raise ValueError("a measurement needs weight_kg, body_fat_pct or a circumference")
        return self


class MeasurementRead(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": READ_EXAMPLE})

    id: uuid.UUID = Field(description="Stable across replaces of the same date.")
    date: Annotated[date, Field(validation_alias="measurement_date")]
    weight_kg: float | None
    body_fat_pct: float | None
    neck: float | None
    chest: float | None
    waist: float | None
    hips: float | None
    arm_left: float | None
    arm_right: float | None
    thigh_left: float | None
    thigh_right: float | None
    calf_left: float | None
    calf_right: float | None
    notes: str | None
    created_at: datetime
    updated_at: datetime
