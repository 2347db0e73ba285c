import enum
import uuid
from typing import Any

from pydantic import ConfigDict, Field

from ironlog.core.schemas import OutputModel

_EXAMPLE_CURSOR = "AQAAAAAAAAAq__8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABo0NaAbL3Iq1lxJ3hEuWQhW2E"


class SyncEntity(enum.StrEnum):
    WORKOUT = "workout"
    EXERCISE = "exercise"
    ROUTINE = "routine"
    ROUTINE_FOLDER = "routine_folder"
    BODY_MEASUREMENT = "body_measurement"
    PREFERENCES = "preferences"


class SyncOp(enum.StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class Change(OutputModel):
    entity: SyncEntity = Field(description="What kind of object changed.")
    id: uuid.UUID = Field(description="The object's id.")
    op: SyncOp = Field(
        description="`upsert`: store `data` as the object; `delete`: remove the object (a client "
        "that does not have it ignores it)."
    )
    version: int = Field(
        description="The change's number in your feed: it grows with every change, so a later "
        "state of an object always has a higher version."
    )
    data: dict[str, Any] | None = Field(
        description="For `upsert`, the whole object exactly as its own GET route returns it (a "
        "workout with its exercises and sets); null for `delete`."
    )


class SyncPage(OutputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "changes": [
                    {
                        "entity": "exercise",
                        "id": "5d1e2f3a-4b5c-4d7e-8f90-a1b2c3d4e5f6",
                        "op": "upsert",
                        "version": 41,
                        "data": {
                            "id": "5d1e2f3a-4b5c-4d7e-8f90-a1b2c3d4e5f6",
                            "name": "Tempo Pin Press",
                            "body_part": "chest",
                            "modality": "BARBELL",
                            "description": None,
                            "is_system": False,
                            "user_id": "3f0b6a2e-8a4e-4c3b-9f5e-2f1d7c9b8a10",
                            "created_at": "2026-11-20T17:30:00Z",
                            "updated_at": "2026-11-20T17:30:00Z",
                        },
                    },
                    {
                        "entity": "workout",
                        "id": "0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e",
                        "op": "delete",
                        "version": 42,
                        "data": None,
                    },
                ],
                "cursor": _EXAMPLE_CURSOR,
                "has_more": False,
                "reset": False,
            }
        }
    )

    changes: list[Change] = Field(
        description="Oldest first; each object at most once, in its latest state."
    )
    cursor: str = Field(
        description="Opaque: send it back as `cursor` to get the changes made after this page."
    )
    has_more: bool = Field(description="More changes follow now: ask again with `cursor`.")
    reset: bool = Field(
        description="Your cursor was too old (or from before a restore): this is a new "
        "snapshot; drop your copy and rebuild it from these pages."
    )
