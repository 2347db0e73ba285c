import enum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)
from pydantic.json_schema import SkipJsonSchema

from ironlog.core.local_time import WeekStart, is_time_zone
from ironlog.core.schemas import (
    NO_NUL,
    InputModel,
    Name,
    OutputModel,
    Password,
    PlainText,
    refuse_null,
)
from ironlog.core.units import LEAST_GRAM, round_to_gram


class WeightUnit(enum.StrEnum):
    KG = "kg"
    LB = "lb"


class DistanceUnit(enum.StrEnum):
    KM = "km"
    MI = "mi"


class UserUpdate(InputModel):
    """Every field optional: the ones sent change, the others stay; `{}` changes nothing. None
    may be null."""

    model_config = ConfigDict(json_schema_extra={"example": {"name": "Ada Lovelace"}})

    name: Name | SkipJsonSchema[None] = None

    _no_null = refuse_null("name")


class PasswordChange(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"current_password": "correct horse", "new_password": "battery staple"}
        }
    )

    # Passwords are never trimmed.
    current_password: PlainText
    new_password: Password


# --- preferences ---------------------------------------------------------------------------------

MAX_PLATES = 12

PREFERENCES_EXAMPLE: dict[str, Any] = {
    "weight_unit": "lb",
    "distance_unit": "mi",
    "timezone": "America/Los_Angeles",
    "week_starts_on": "sunday",
    "default_rest_seconds": 90,
    "bar_weight_kg": 20.412,
    "plates_kg": [20.412, 15.876, 11.34, 4.536, 2.268, 1.134],
}


def _known_time_zone(name: str) -> str:
    if not is_time_zone(name):
        raise ValueError("unknown time zone: use an IANA name such as Europe/Paris")
    return name


def _heaviest_first(plates: list[float]) -> list[float]:
    if len(set(plates)) != len(plates):
        raise ValueError("plates must be distinct weights (after rounding to the gram)")
    return sorted(plates, reverse=True)


# Kilograms rounded half up to the gram, from the decimal the client wrote (225 lb is 102.05828 kg,
# stored 102.058): never refused for their precision. A plate weighs at least a gram once rounded.
Gram = Annotated[float, Strict(), Field(ge=0, le=100), AfterValidator(round_to_gram)]
PlateWeight = Annotated[
    float, Strict(), Field(ge=LEAST_GRAM, le=100), AfterValidator(round_to_gram)
]
TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=NO_NUL),
    AfterValidator(_known_time_zone),
    Field(examples=["Europe/Paris"]),
]
# Distinct: `uniqueItems` says so for the numbers sent, the validator once they are rounded.
Plates = Annotated[
    list[PlateWeight],
    Field(max_length=MAX_PLATES, json_schema_extra={"uniqueItems": True}),
    AfterValidator(_heaviest_first),
]
RestSeconds = Annotated[int, Strict(), Field(ge=0, le=3600)]


class PreferencesRead(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": PREFERENCES_EXAMPLE})

    weight_unit: WeightUnit
    distance_unit: DistanceUnit
    timezone: str = Field(description="IANA time zone: it decides the local date of workouts.")
    week_starts_on: WeekStart
    default_rest_seconds: int
    bar_weight_kg: float
    plates_kg: list[float] = Field(description="Available plates (kg), heaviest first.")


class PreferencesUpdate(InputModel):
    """Every field optional: the ones sent change, the others stay. None may be null."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"weight_unit": "lb", "timezone": "America/Los_Angeles"}}
    )

    weight_unit: WeightUnit | SkipJsonSchema[None] = None
    distance_unit: DistanceUnit | SkipJsonSchema[None] = None
    timezone: TimeZoneName | SkipJsonSchema[None] = None
    week_starts_on: WeekStart | SkipJsonSchema[None] = None
    default_rest_seconds: RestSeconds | SkipJsonSchema[None] = Field(
        None, description="0..3600 seconds."
    )
    bar_weight_kg: Gram | SkipJsonSchema[None] = Field(
        None, description="0..100 kg, rounded to the gram."
    )
    plates_kg: Plates | SkipJsonSchema[None] = Field(
        None,
        description=f"Up to {MAX_PLATES} distinct weights, each {LEAST_GRAM} (a gram once "
        "rounded) to 100 kg, rounded to the gram; served heaviest first.",
    )

    _no_null = refuse_null("*")
