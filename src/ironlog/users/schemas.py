import uuid
from datetime import datetime
from typing import Any

from pydantic import ConfigDict

from ironlog.core.schemas import InputModel, Name, OutputModel, Password, PlainText

USER_READ_EXAMPLE: dict[str, Any] = {
    "id": "3f0b6a2e-8a4e-4c3b-9f5e-2f1d7c9b8a10",
    "email": "ada@example.com",
    "name": "Ada",
    "email_verified": False,
    "has_password": True,
    "google_linked": False,
    "created_at": "2026-11-20T17:30:00Z",
    "updated_at": "2026-11-20T17:30:00Z",
}


class UserRead(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": USER_READ_EXAMPLE})

    id: uuid.UUID
    email: str
    name: str
    email_verified: bool
    has_password: bool
    google_linked: bool
    created_at: datetime
    updated_at: datetime


class UserUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"example": {"name": "Ada Lovelace"}})

    name: Name


class PasswordChange(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"current_password": "correct horse", "new_password": "battery staple"}
        }
    )

    # Passwords are never trimmed.
    current_password: PlainText
    new_password: Password
