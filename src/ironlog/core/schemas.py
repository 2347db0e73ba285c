"""Shared building blocks of request and response schemas."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StringConstraints,
)


class InputModel(BaseModel):
    """A request body: unknown fields are refused, so a client cannot set ids it does not own."""

    model_config = ConfigDict(extra="forbid")


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _trimmed(max_length: int, min_length: int = 1) -> object:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


def _blank_to_none(value: str | None) -> str | None:
    return value or None


# Strings are trimmed and their length counted after trimming (SPEC section 6). Optional texts
# that are blank after trimming are stored as null.
Name = Annotated[str, _trimmed(100)]
LongText = Annotated[str | None, _trimmed(2000, 0), AfterValidator(_blank_to_none)]
ShortText = Annotated[str | None, _trimmed(500, 0), AfterValidator(_blank_to_none)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# An instant with an explicit offset, normalised to UTC.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
