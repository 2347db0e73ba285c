"""Shared building blocks of request and response schemas."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


class InputModel(BaseModel):
    """A request body: unknown fields are refused, so a client cannot set ids it does not own."""

    model_config = ConfigDict(extra="forbid")


def _not_null(_cls: type, value: object, info: ValidationInfo) -> object:
    if value is None:
        raise ValueError(f"{info.field_name} cannot be null; omit it to keep its value")
    return value


def refuse_null(*fields: str) -> Any:
    """A validator for a PATCH body's fields that may be omitted (kept) but not sent as null:
    `_no_null = refuse_null("name")` in the class body. Defaults are not validated, so it runs for
    the fields sent only, and its error's `loc` is the field's."""
    return field_validator(*fields, mode="after")(classmethod(_not_null))


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# PostgreSQL cannot store U+0000 in text, so every string input refuses it (422), on both
# databases; the OpenAPI document says so with this pattern.
NO_NUL = r"^[^\x00]*$"


def _trimmed(max_length: int, min_length: int = 1) -> object:
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=NO_NUL
    )


def _blank_to_none(value: str | None) -> str | None:
    return value or None


# Strings are trimmed and their length counted after trimming. Optional texts
# that are blank after trimming are stored as null.
Name = Annotated[str, _trimmed(100)]
LongText = Annotated[str | None, _trimmed(2000, 0), AfterValidator(_blank_to_none)]
ShortText = Annotated[str | None, _trimmed(500, 0), AfterValidator(_blank_to_none)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128, pattern=NO_NUL)]
# Any other string input: no NUL character.
PlainText = Annotated[str, StringConstraints(pattern=NO_NUL)]


# Instants and dates a client may send: years 1900 to 2999. Far wider than any training log,
# and far from the calendar's ends, where adding a day, an offset or a duration overflows
# (Python's year 9999, PostgreSQL's `infinity` rounding) and used to be a 500.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
EARLIEST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(3000, 1, 1, tzinfo=UTC)  # exclusive
RANGE_MESSAGE = "must be in the years 1900 to 2999"


def utc_in_range(value: datetime) -> datetime:
    """An aware instant in UTC; ValueError outside the supported years."""
    try:
        moment = value.astimezone(UTC)
    except OverflowError:  # an offset pushed it past year 1 or 9999
        raise ValueError(RANGE_MESSAGE) from None
    if not EARLIEST_INSTANT <= moment < END_OF_TIME:
        raise ValueError(RANGE_MESSAGE)
    return moment


def date_in_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(RANGE_MESSAGE)
    return value


_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]")
DATETIME_MESSAGE = "Input should be a date and time with an offset, e.g. 2026-11-20T17:30:00Z"


def _written_datetime(value: object) -> object:
    """A date and time as written (RFC 3339): Pydantic's lax mode would take a number, or a
    string of digits, for a Unix timestamp (`0` as 1970-01-01). Python datetimes pass."""
    if isinstance(value, int | float) or (isinstance(value, str) and not _DATETIME.match(value)):
        raise ValueError(DATETIME_MESSAGE)
    return value


# An instant with an explicit offset, normalised to UTC, in the supported years.
UtcDatetime = Annotated[
    AwareDatetime, BeforeValidator(_written_datetime), AfterValidator(utc_in_range)
]


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _plain_date(value: object) -> object:
    """Only `YYYY-MM-DD`: no datetimes, no timestamps (Pydantic's lax mode would take them)."""
    if isinstance(value, str) and not _DATE.fullmatch(value):
        raise ValueError("Input should be a date in the format YYYY-MM-DD")
    return value


@dataclass(frozen=True, slots=True)
class _DocumentedPattern:
    """States a rule the validators check as the JSON Schema `pattern` of a value."""

    pattern: str

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


# The supported years as a pattern: a date is a plain `YYYY-MM-DD` (no offset moves it).
SUPPORTED_DATE_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"

# A calendar date as `YYYY-MM-DD` only (query parameters `from` and `to`).
PlainDate = Annotated[date, BeforeValidator(_plain_date)]
# The same, within the supported years (the workout filters add a day to `to`).
BoundedDate = Annotated[
    date,
    BeforeValidator(_plain_date),
    AfterValidator(date_in_range),
    _DocumentedPattern(SUPPORTED_DATE_PATTERN),
]
