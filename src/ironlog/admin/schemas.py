import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from ironlog.core.schemas import OutputModel

InviteStatus = Literal["pending", "used", "expired"]


class AdminUserRead(OutputModel):
    """An account as an administrator sees it."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "3f0b6a2e-8a4e-4c3b-9f5e-2f1d7c9b8a10",
                "email": "ada@example.com",
                "name": "Ada",
                "is_admin": False,
                "disabled_at": None,
                "has_password": True,
                "google_linked": False,
                "created_at": "2026-11-20T17:30:00Z",
            }
        }
    )

    id: uuid.UUID
    email: str
    name: str
    is_admin: bool
    disabled_at: datetime | None = Field(description="When the account was disabled; null if not.")
    has_password: bool
    google_linked: bool
    created_at: datetime


class InviteCreated(OutputModel):
    """A new invite. The token is shown this once: only its hash is stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "0c6a5d1e-2b3f-4a9c-8d7e-6f5a4b3c2d1e",
                "token": "q3Zt0cN3y2Zf9oQ1h7Xw4uVbT6sR8pL5kAmJ",
                "url": "https://lift.example.com/#/signup?invite=q3Zt0cN3y2Zf9oQ1h7Xw4uVbT6sR8pL5kAmJ",
                "expires_at": "2026-11-27T17:30:00Z",
            }
        }
    )

    id: uuid.UUID
    token: str
    url: str = Field(description="The sign-up link to send to the person invited.")
    expires_at: datetime


class InviteRead(OutputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "0c6a5d1e-2b3f-4a9c-8d7e-6f5a4b3c2d1e",
                "status": "pending",
                "created_at": "2026-11-20T17:30:00Z",
                "expires_at": "2026-11-27T17:30:00Z",
                "used_at": None,
                "used_by_email": None,
            }
        }
    )

    id: uuid.UUID
    status: InviteStatus = Field(description="`pending` (usable), `used` or `expired`.")
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by_email: str | None = Field(description="The account registered with it, if any.")


class ResetLink(OutputModel):
    """A one-time password reset link. Only the hash of its token is stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "url": "https://lift.example.com/#/reset-password?token=mJ0cN3y2Zf9oQ1h7Xw4u",
                "expires_at": "2026-11-21T17:30:00Z",
            }
        }
    )

    url: str = Field(description="Give it to the account's owner; it works once.")
    expires_at: datetime
