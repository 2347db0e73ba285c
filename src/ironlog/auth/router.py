from typing import Annotated, Any

from fastapi import Body, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ironlog.auth import service
from ironlog.auth.dependencies import CurrentUser, PasswordHasherDep, TokenCodecDep
from ironlog.auth.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
)
from ironlog.auth.google_router import router as google_router
from ironlog.auth.schemas import (
    AuthResult,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
)
from ironlog.core import openapi
from ironlog.core.errors import (
    BadRequest,
    NotAuthenticated,
    RateLimited,
    UnsupportedMediaType,
    problem_responses,
)
from ironlog.core.routing import SessionDep, SettingsDep, api_router, is_json

router = api_router(prefix="/auth", tags=["auth"])

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# Only the JSON body is in the document: the OAuth2 password form is documented by the security
# scheme (its token URL is this route), and openapi-python-client generates code that does not
# import for a body with two content types (docs/operations.md).
_LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": openapi.component(LoginRequest),
                "example": {"email": "ada@example.com", "password": "correct horse"},
            },
        },
    }
}


async def _read_credentials(request: Request) -> LoginRequest:
    content_type = request.headers.get("content-type", "")
    try:
        if is_json(content_type):
            return LoginRequest.model_validate_json(await request.body())
        if content_type.split(";")[0].strip().lower() in _FORM_TYPES:
            form = await request.form()
            return LoginRequest.model_validate(
                {"email": form.get("username"), "password": form.get("password")}
            )
    except ValidationError as error:
        errors = error.errors(include_url=False)
        if any(item["type"] == "json_invalid" for item in errors):
            raise BadRequest() from error
        raise RequestValidationError(
            [{**item, "loc": ("body", *item["loc"])} for item in errors]
        ) from error
    raise UnsupportedMediaType(
        "Send application/json or the OAuth2 password form (application/x-www-form-urlencoded)."
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthResult,
    summary="Create an account",
    responses=problem_responses(EmailTaken, RateLimited),
)
async def register(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    hasher: PasswordHasherDep,
    codec: TokenCodecDep,
    data: Annotated[RegisterRequest, Body()],
) -> AuthResult:
    """Create an account with email and password and sign it in. The email is compared
    case-insensitively and stored normalised (NFC, lower-cased); the password needs 8..128
    characters and no composition rules (NIST 800-63B). Each client address may register 20
    accounts an hour (`IRONLOG_REGISTER_*`), then 429 with `Retry-After`."""
    user, tokens = await service.register(
        session,
        request.app.state.sessionmaker,
        hasher,
        codec,
        settings,
        data=data,
        client=request.client.host if request.client else None,
    )
    return AuthResult.model_validate({"user": user, "tokens": tokens})


@router.post(
    "/login",
    response_model=TokenPair,
    summary="Sign in with email and password",
    openapi_extra=_LOGIN_BODY,
    responses=problem_responses(BadRequest, InvalidCredentials, UnsupportedMediaType, RateLimited),
)
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    hasher: PasswordHasherDep,
    codec: TokenCodecDep,
) -> TokenPair:
    """Take JSON `{email, password}`, or the OAuth2 password form
    (`application/x-www-form-urlencoded`: `username` = the email, `password`, optional
    `grant_type=password`), so Swagger's *Authorize* button works; this route is the security
    scheme's token URL. A wrong email and a wrong password get the same 401.
    After 5 failures for one email in 15 minutes (50 for one client address), logins are 429
    with `Retry-After` until the window ends (settings `IRONLOG_LOGIN_*`)."""
    credentials = await _read_credentials(request)
    return await service.login(
        session,
        request.app.state.sessionmaker,
        hasher,
        codec,
        settings,
        email=credentials.email,
        password=credentials.password,
        client=request.client.host if request.client else None,
    )


@router.post(
    "/refresh",
    response_model=TokenPair,
    summary="Exchange a refresh token for new tokens",
    responses=problem_responses(InvalidRefreshToken, RefreshTokenReused),
)
async def refresh(
    session: SessionDep, codec: TokenCodecDep, data: Annotated[RefreshRequest, Body()]
) -> TokenPair:
    """Rotate the refresh token: the one sent stops working and a new pair is returned.
    Sending an already-rotated token again is treated as theft: the whole session is revoked
    (401 `refresh_token_reused`) and its access tokens fail at once."""
    return await service.refresh(session, codec, raw_token=data.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End one session")
async def logout(session: SessionDep, data: Annotated[RefreshRequest, Body()]) -> None:
    """Revoke the session of this refresh token; its access tokens fail at once. The refresh
    token is the credential, so no access token is needed. An unknown or already revoked token
    is accepted silently, as in OAuth token revocation (RFC 7009)."""
    await service.logout(session, raw_token=data.refresh_token)


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End every session of the user",
    responses=problem_responses(NotAuthenticated),
)
async def logout_all(session: SessionDep, user: CurrentUser) -> None:
    """Revoke every session of the signed-in user, this one included."""
    await service.logout_all(session, user=user)


# Google sign-in lives in its own module; its routes are part of /auth.
router.include_router(google_router)
