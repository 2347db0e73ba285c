from typing import Annotated, Any

from fastapi import Body, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ironlog.auth import service
from ironlog.auth.dependencies import CurrentUser, PasswordHasherDep, TokenCodecDep
from ironlog.auth.errors import (
    AccountDisabled,
    EmailTaken,
    ForeignOrigin,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidResetToken,
    InviteInvalid,
    RefreshTokenReused,
    RegistrationClosed,
)
from ironlog.auth.schemas import (
    AuthConfig,
    AuthResult,
    LoginRequest,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
)
from ironlog.auth.web_session import (
    COOKIE_NAME,
    BrowserSession,
    BrowserSessionDep,
    browser_session,
)
from ironlog.core import openapi
from ironlog.core.errors import (
    BadRequest,
    InvalidField,
    NotAuthenticated,
    RateLimited,
    UnsupportedMediaType,
    problem_responses,
)
from ironlog.core.routing import SessionDep, SettingsDep, api_router, is_json, read_only

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


_COOKIE = (
    "`ironlog_refresh=<token>; HttpOnly; Max-Age=<refresh lifetime>; Path=/api/v1/auth; "
    "SameSite=Strict; Secure` (no `Secure` over plain HTTP to a loopback host)"
)


def _sets_cookie(status_code: int, description: str) -> dict[int | str, dict[str, Any]]:
    """The `Set-Cookie` header of cookie mode, for the OpenAPI document."""
    header = {"description": description, "schema": {"type": "string"}}
    return {status_code: {"headers": {"Set-Cookie": header}}}


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
    responses={
        **_sets_cookie(201, f"In cookie mode only: {_COOKIE}."),
        **problem_responses(
            EmailTaken, RegistrationClosed, InviteInvalid, ForeignOrigin, RateLimited
        ),
    },
)
async def register(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    hasher: PasswordHasherDep,
    codec: TokenCodecDep,
    browser: BrowserSessionDep,
    data: Annotated[RegisterRequest, Body()],
) -> AuthResult:
    """Create an account with email and password and sign it in. The email is compared
    case-insensitively and stored normalised (NFC, lower-cased); the password needs 8..128
    characters and no composition rules (NIST 800-63B). Each client address may register 20
    accounts an hour (`IRONLOG_REGISTER_*`), then 429 with `Retry-After`.

    `IRONLOG_REGISTRATION` decides who may register: `open` (anyone), `invite` (the body's
    `invite`, an unused and unexpired invite token, else 403 `invite_invalid`; it is used up)
    or `closed` (403 `registration_closed`). The first account of a server that has no
    administrator becomes its administrator.

    **Cookie mode** (IronLog's web app): with `X-IronLog-Session: cookie` the refresh token is
    set as the cookie `ironlog_refresh` (HttpOnly, SameSite=Strict, Path=/api/v1/auth, Secure
    except over plain HTTP to a loopback host) and `tokens.refresh_token` is null. A cookie-mode
    request from a foreign `Origin` is 403 `forbidden`."""
    user, tokens = await service.register(
        session,
        request.app.state.sessionmaker,
        hasher,
        codec,
        settings,
        data=data,
        client=request.client.host if request.client else None,
    )
    if browser is not None:
        tokens = browser.deliver(tokens, response)
    return AuthResult.model_validate({"user": user, "tokens": tokens})


@router.post(
    "/login",
    response_model=TokenPair,
    summary="Sign in with email and password",
    openapi_extra=_LOGIN_BODY,
    responses={
        **_sets_cookie(200, f"In cookie mode only: {_COOKIE}."),
        **problem_responses(
            BadRequest,
            InvalidCredentials,
            AccountDisabled,
            ForeignOrigin,
            UnsupportedMediaType,
            RateLimited,
        ),
    },
)
async def login(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    hasher: PasswordHasherDep,
    codec: TokenCodecDep,
    browser: BrowserSessionDep,
) -> TokenPair:
    """Take JSON `{email, password}`, or the OAuth2 password form
    (`application/x-www-form-urlencoded`: `username` = the email, `password`, optional
    `grant_type=password`), so Swagger's *Authorize* button works; this route is the security
    scheme's token URL. A wrong email and a wrong password get the same 401; the right
    password of a disabled account is 403 `account_disabled`.
    After 5 failures for one email in 15 minutes (50 for one client address), logins are 429
    with `Retry-After` until the window ends (settings `IRONLOG_LOGIN_*`).

    **Cookie mode**: with `X-IronLog-Session: cookie` the refresh token is set as the HttpOnly
    cookie `ironlog_refresh` and `refresh_token` is null (see `POST /auth/register`)."""
    credentials = await _read_credentials(request)
    tokens = await service.login(
        session,
        request.app.state.sessionmaker,
        hasher,
        codec,
        settings,
        email=credentials.email,
        password=credentials.password,
        client=request.client.host if request.client else None,
    )
    return browser.deliver(tokens, response) if browser else tokens


def _presented_token(data: RefreshRequest | None, browser: BrowserSession | None) -> str | None:
    """The refresh token of a refresh or logout: the body's, or in cookie mode the cookie's."""
    sent = data.refresh_token if data else None
    if browser is None:
        if sent is None:
            raise InvalidField(["body", "refresh_token"], "Field required", "missing")
        return sent
    if sent is not None:
        raise InvalidField(
            ["body", "refresh_token"],
            "In cookie mode the refresh token is the cookie's: send no body or `{}`.",
            "extra_forbidden",
        )
    return browser.refresh_token


@router.post(
    "/refresh",
    response_model=TokenPair,
    summary="Exchange a refresh token for new tokens",
    responses={
        **_sets_cookie(200, f"In cookie mode only: the new token, {_COOKIE}; cleared on a 401."),
        **problem_responses(InvalidRefreshToken, RefreshTokenReused, ForeignOrigin),
    },
)
async def refresh(
    response: Response,
    session: SessionDep,
    codec: TokenCodecDep,
    browser: BrowserSessionDep,
    data: Annotated[RefreshRequest | None, Body()] = None,
) -> TokenPair:
    """Rotate the refresh token: the one sent stops working and a new pair is returned.
    Sending an already-rotated token again is treated as theft: the whole session is revoked
    (401 `refresh_token_reused`) and its access tokens fail at once.

    **Cookie mode** (`X-IronLog-Session: cookie`): send no body (or `{}`); the token is read
    from the `ironlog_refresh` cookie and the new one replaces it (`refresh_token` is null in
    the body). A missing or unknown cookie is 401 `invalid_refresh_token`, and every 401 clears
    the cookie."""
    raw_token = _presented_token(data, browser)
    try:
        if raw_token is None:
            raise InvalidRefreshToken("No refresh cookie was sent: sign in again.")
        tokens = await service.refresh(session, codec, raw_token=raw_token)
    except (InvalidRefreshToken, RefreshTokenReused) as error:
        if browser is not None:
            error.headers["set-cookie"] = browser.clearing_header
        raise
    return browser.deliver(tokens, response) if browser else tokens


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End one session",
    responses={
        **_sets_cookie(204, "In cookie mode only: `ironlog_refresh` cleared (empty, `Max-Age=0`)."),
        **problem_responses(ForeignOrigin),
    },
)
async def logout(
    response: Response,
    session: SessionDep,
    browser: BrowserSessionDep,
    data: Annotated[RefreshRequest | None, Body()] = None,
) -> None:
    """Revoke the session of this refresh token; its access tokens fail at once. The refresh
    token is the credential, so no access token is needed. An unknown or already revoked token
    is accepted silently, as in OAuth token revocation (RFC 7009).

    **Cookie mode** (`X-IronLog-Session: cookie`): send no body (or `{}`); the session of the
    `ironlog_refresh` cookie is revoked and the cookie cleared."""
    raw_token = _presented_token(data, browser)
    if raw_token is not None:
        await service.logout(session, raw_token=raw_token)
    if browser is not None:
        browser.clear_cookie(response)


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End every session of the user",
    responses=problem_responses(NotAuthenticated),
)
async def logout_all(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
) -> None:
    """Revoke every session of the signed-in user, this one included. A browser's
    `ironlog_refresh` cookie, when the request carries it, is cleared."""
    await service.logout_all(session, user=user)
    if COOKIE_NAME in request.cookies:
        browser_session(request, settings).clear_cookie(response)


@router.post(
    "/password-reset",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with a reset link",
    responses=problem_responses(InvalidResetToken, RateLimited),
)
async def reset_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    hasher: PasswordHasherDep,
    data: Annotated[PasswordResetRequest, Body()],
) -> None:
    """Public: set `new_password` (8..128 characters) on the account of a one-time reset link
    an administrator made (`POST /admin/users/{user_id}/reset-link` or `ironlog users
    reset-link`). The link works once (of two concurrent uses one wins) until it expires
    (`IRONLOG_PASSWORD_RESET_TTL_SECONDS`); every session of the account ends. An unknown,
    used or expired token is 400 `reset_token_invalid`; attempts count per client address like
    failed logins (`IRONLOG_LOGIN_IP_MAX_FAILURES`), then 429 with `Retry-After`."""
    await service.reset_password(
        session,
        request.app.state.sessionmaker,
        hasher,
        settings,
        data=data,
        client=request.client.host if request.client else None,
    )


@router.get("/config", response_model=AuthConfig, summary="What the sign-in screen offers")
@read_only
async def get_auth_config(settings: SettingsDep) -> AuthConfig:
    """Public: whether Google sign-in is configured and whether anyone may register, so an app
    knows which buttons to show."""
    return service.public_config(settings)
