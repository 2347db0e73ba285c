import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from ironlog.core.schemas import NO_NUL, InputModel, LongText, Name, OutputModel, refuse_null
from ironlog.exercises.names import name_key
from ironlog.models import Modality

NAME_MAX = 100
BODY_PART_MAX = 50
# The width of the name_key column: NFKC can expand a character (up to 18 for U+FDFA).
NAME_KEY_MAX = 400


def refuse_nul(value: str) -> str:
    # PostgreSQL cannot store U+0000 in text; refusing it keeps both databases alike.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


def _check_name(value: str) -> str:
    key = name_key(refuse_nul(value))
    if not key:
        raise ValueError("must contain a visible character")
    if len(key) > NAME_KEY_MAX:
        raise ValueError("is too long once normalised")
    return value


def normalise_body_part(value: str) -> str:
    value = refuse_nul(value).lower()
    # Lower-casing can lengthen a string ("İ" becomes two code points).
    if len(value) > BODY_PART_MAX:
        raise ValueError(f"must have at most {BODY_PART_MAX} characters")
    return value


def _check_description(value: str | None) -> str | None:
    return None if value is None else refuse_nul(value)


ExerciseName = Annotated[Name, AfterValidator(_check_name)]
BodyPart = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=BODY_PART_MAX, pattern=NO_NUL
    ),
    AfterValidator(normalise_body_part),
]
Description = Annotated[LongText, AfterValidator(_check_description)]

_EXAMPLE_ID = "5d1e8a3c-2b7f-4c9e-8a61-0f3b2d4c6e8a"


class ExerciseCreate(InputModel):
    """The body of `POST` and of `PUT` (which replaces every field)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "Tempo Pin Press",
                "body_part": "chest",
                "modality": "BARBELL",
                "description": "A bench press from pins set just above the chest, 3 s down.",
            }
        }
    )

    name: ExerciseName = Field(
        description="1..100 characters after trimming; unique, ignoring case and repeated "
        "spaces, among the system exercises and your own."
    )
    body_part: BodyPart = Field(description="1..50 characters; stored trimmed and lower-cased.")
    modality: Modality
    description: Description = Field(None, description="Up to 2000 characters; blank means none.")


class ExerciseUpdate(InputModel):
    """The body of `PATCH`: only the fields sent change; `description: null` clears it."""

    model_config = ConfigDict(json_schema_extra={"example": {"name": "Tempo Pin Press (5 s)"}})

    name: ExerciseName | SkipJsonSchema[None] = Field(
        None, description="1..100 characters after trimming; unique like on create."
    )
    body_part: BodyPart | SkipJsonSchema[None] = Field(
        None, description="1..50 characters; stored trimmed and lower-cased."
    )
    modality: Modality | SkipJsonSchema[None] = None
    description: Description = Field(None, description="Up to 2000 characters; null clears it.")

    _no_null = refuse_null("name", "body_part", "modality")


class ExerciseRead(OutputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": _EXAMPLE_ID,
                "name": "Bench Press",
                "body_part": "chest",
                "modality": "BARBELL",
                "description": "Lying on a flat bench, lower the bar to the chest and press it up.",
                "is_system": True,
                "user_id": None,
                "created_at": "2026-11-20T17:30:00Z",
                "updated_at": "2026-11-20T17:30:00Z",
            }
        }
    )

    id: uuid.UUID
    name: str
    body_part: str
    modality: Modality
    description: str | None
    is_system: bool = Field(description="True for the system library, which nobody can change.")
    user_id: uuid.UUID | None = Field(description="The owner; null for a system exercise.")
    created_at: datetime
    updated_at: datetime
