import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, EmailStr, Field, StringConstraints

from ironlog.core.schemas import NO_NUL, InputModel, Name, OutputModel, Password

USER_READ_EXAMPLE: dict[str, Any] = {
    "id": "3f0b6a2e-8a4e-4c3b-9f5e-2f1d7c9b8a10",
    "email": "ada@example.com",
    "name": "Ada",
    "email_verified": False,
    "is_admin": False,
    "has_password": True,
    "google_linked": False,
    "created_at": "2026-11-20T17:30:00Z",
    "updated_at": "2026-11-20T17:30:00Z",
}


class UserRead(OutputModel):
    """An account as the API shows it: sign-in answers it, and so does `GET /users/me`."""

    model_config = ConfigDict(json_schema_extra={"example": USER_READ_EXAMPLE})

    id: uuid.UUID
    email: str
    name: str
    email_verified: bool
    is_admin: bool = Field(description="Administrators manage accounts and invites (`/admin`).")
    has_password: bool
    google_linked: bool
    created_at: datetime
    updated_at: datetime


Email = Annotated[EmailStr, StringConstraints(max_length=254)]
InviteToken = Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=NO_NUL)]
Nonce = Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=NO_NUL)]


class RegisterRequest(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"email": "ada@example.com", "password": "correct horse", "name": "Ada"}
        }
    )

    email: Email
    password: Password = Field(description="8..128 characters, any of them; never trimmed.")
    name: Name
    invite: InviteToken | None = Field(
        None,
        description="The token of an invite link (`#/signup?invite=<token>`). Required when "
        "the server's registration is `invite`, ignored otherwise; used once.",
    )


class PasswordResetRequest(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"token": "Qm9vdHN0cmFwIHRva2VuIGV4YW1wbGU", "new_password": "new horse"}
        }
    )

    token: InviteToken = Field(
        description="The token of a reset link (`#/reset-password?token=<token>`)."
    )
    new_password: Password = Field(description="8..128 characters, any of them; never trimmed.")


class LoginRequest(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"email": "ada@example.com", "password": "correct horse"}}
    )

    email: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=254, pattern=NO_NUL),
    ]
    password: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=NO_NUL)]


RefreshTokenText = Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=NO_NUL)]


class RefreshRequest(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"refresh_token": "mJ0cN3y2Zf9oQ1h7Xw4uVbT6sR8pL5kA"}}
    )

    refresh_token: RefreshTokenText | None = Field(
        None,
        description="Required, except in cookie mode (`X-IronLog-Session: cookie`), where the "
        "`ironlog_refresh` cookie carries it and the body is empty or `{}`.",
    )


TOKEN_PAIR_EXAMPLE: dict[str, Any] = {
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
    "refresh_token": "mJ0cN3y2Zf9oQ1h7Xw4uVbT6sR8pL5kA",
    "token_type": "bearer",
    "expires_in": 900,
}


class TokenPair(OutputModel):
    model_config = ConfigDict(json_schema_extra={"example": TOKEN_PAIR_EXAMPLE})

    access_token: str
    refresh_token: str | None = Field(
        description="Opaque, single use (each refresh rotates it). Null in cookie mode "
        "(`X-IronLog-Session: cookie`): the HttpOnly cookie `ironlog_refresh` carries it."
    )
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (not a secret)
    expires_in: int = Field(description="Seconds until the access token expires.")


class AuthResult(OutputModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"user": USER_READ_EXAMPLE, "tokens": TOKEN_PAIR_EXAMPLE}}
    )

    user: UserRead
    tokens: TokenPair


class GoogleIdTokenRequest(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6IjZmNzI1NDEwMWY1NmU0MWNm...",
                "nonce": "n-0S6_WzA2Mj",
            }
        }
    )

    id_token: Annotated[str, StringConstraints(min_length=1, max_length=8192, pattern=NO_NUL)] = (
        Field(
            description="The ID token (a JWT) your client received from Google for this server's "
            "client id."
        )
    )
    nonce: Nonce | None = Field(
        None,
        description="The nonce your client sent to Google; when given, the token's `nonce` must "
        "equal it. Send it whenever your client used one.",
    )


class AuthConfig(OutputModel):
    """What a sign-in screen needs to know about this server."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"google_enabled": True, "registration": "open"}}
    )

    google_enabled: bool = Field(description="Whether Google sign-in is configured.")
    registration: Literal["open", "closed", "invite"] = Field(
        description="Who may create an account with `POST /auth/register`: `open` (anyone), "
        "`invite` (with an administrator's invite) or `closed` (nobody)."
    )


class GoogleAuthorizationUrl(OutputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "authorization_url": "https://accounts.google.com/o/oauth2/v2/auth?"
                "response_type=code&client_id=1234.apps.googleusercontent.com&state=..."
            }
        }
    )

    authorization_url: str = Field(
        description="Navigate the browser here; Google sends it back to the callback, which "
        "redirects to `/#/settings?google=linked` (or `?error=<code>`)."
    )
