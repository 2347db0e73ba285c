"""Google sign-in routes, under `/api/v1/auth/google` (included by the auth router)."""

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Body, Query, Request, status
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from ironlog.auth import google_service, throttle
from ironlog.auth.dependencies import CurrentUser, GoogleProviderDep, OptionalUser, TokenCodecDep
from ironlog.auth.errors import (
    AccountDisabled,
    GoogleAlreadyLinked,
    GoogleAuthorizationFailed,
    GoogleIdentityTaken,
    GoogleLinkRequired,
    GoogleLoginDisabled,
    IdentityProviderUnavailable,
    InvalidIdToken,
    InvalidOAuthState,
    OAuthStateExpired,
    RegistrationClosed,
)
from ironlog.auth.google import GoogleProvider
from ironlog.auth.schemas import (
    AuthResult,
    GoogleAuthorizationUrl,
    GoogleIdTokenRequest,
    UserRead,
)
from ironlog.auth.web_session import browser_session
from ironlog.core.config import Settings
from ironlog.core.errors import DomainError, NotAuthenticated, RateLimited, problem_responses
from ironlog.core.routing import SessionDep, SettingsDep, api_router
from ironlog.core.schemas import NO_NUL
from ironlog.core.security import TokenCodec
from ironlog.models import OidcLogin, User

# Google sign-in lives in its own module; its routes are part of /auth.
router = api_router(prefix="/auth/google", tags=["auth"])

_REDIRECT: dict[int | str, dict[str, Any]] = {
    status.HTTP_302_FOUND: {
        "description": "Go to Google: `Location` is the provider's authorization endpoint with "
        "`response_type=code`, `client_id`, `redirect_uri`, `scope=openid email profile`, "
        "`state`, `nonce`, `code_challenge` and `code_challenge_method=S256`.",
        "headers": {
            "Location": {
                "description": "The provider's authorization URL.",
                "schema": {"type": "string", "format": "uri"},
            }
        },
    }
}
_WEB_REDIRECT: dict[int | str, dict[str, Any]] = {
    status.HTTP_303_SEE_OTHER: {
        "description": "A sign-in started by IronLog's web app (`/google/login?client=web` or "
        "`/google/link-start`): back into the app, never with a token in the URL. A sign-in "
        "sets the `ironlog_refresh` cookie and goes to `/#/`; a link goes to "
        "`/#/settings?google=linked`; a failure goes to `/#/signin?error=<code>` (a link's to "
        "`/#/settings?error=<code>`).",
        "headers": {
            "Location": {
                "description": "A page of the web app.",
                "schema": {"type": "string", "example": "/#/"},
            }
        },
    }
}
# Pages of the web app (served at `/`) that the callback of a web sign-in sends the browser to.
_WEB_HOME = "/#/"
_WEB_SIGN_IN = "/#/signin"
_WEB_SETTINGS = "/#/settings"
_VERIFICATION_ERRORS = (
    InvalidIdToken,
    GoogleLinkRequired,
    RegistrationClosed,
    AccountDisabled,
    IdentityProviderUnavailable,
)


@router.get(
    "/login",
    name="google_login",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    summary="Start Google sign-in (redirects to Google)",
    responses={
        **_REDIRECT,
        **problem_responses(
            GoogleLoginDisabled, NotAuthenticated, IdentityProviderUnavailable, RateLimited
        ),
    },
)
async def google_login(
    request: Request,
    provider: GoogleProviderDep,
    session: SessionDep,
    settings: SettingsDep,
    user: OptionalUser,
    client: Annotated[
        Literal["web"] | None,
        Query(
            description="`web` for IronLog's web app: the callback then sets the refresh cookie "
            "and redirects to `/#/` (or `/#/signin?error=<code>`) instead of answering JSON.",
            examples=["web"],
        ),
    ] = None,
) -> RedirectResponse:
    """Open this URL in the browser: it answers 302 to Google's authorization endpoint
    (authorization-code flow with PKCE S256, `state` and `nonce`). Google sends the browser back
    to the redirect URI (`IRONLOG_GOOGLE_REDIRECT_URI`, or this server's
    `/api/v1/auth/google/callback`) with `code` and `state`, which must reach
    `GET /api/v1/auth/google/callback` within 10 minutes, once.

    **Linking**: sent with a bearer access token, the sign-in links Google to that account
    instead; its callback must then carry the same account's access token. Browsers cannot send
    one on a navigation, so apps usually link with `POST /api/v1/auth/google/link`.

    **The web app** navigates to `?client=web`: a sign-in (never a link) whose callback sets the
    HttpOnly refresh cookie and answers 303 into the app.

    Each client address may start 30 sign-ins in 10 minutes (`IRONLOG_GOOGLE_LOGIN_*`), then
    429 with `Retry-After`: every start stores a pending sign-in until it expires."""
    await throttle.reserve_google_login(
        session, settings, client=request.client.host if request.client else None
    )
    web = client == "web"
    url = await google_service.start_login(
        session,
        provider,
        redirect_uri=_redirect_uri(request, settings),
        link_user=None if web else user,
        web=web,
    )
    return RedirectResponse(
        url, status_code=status.HTTP_302_FOUND, headers={"Cache-Control": "no-store"}
    )


def _redirect_uri(request: Request, settings: Settings) -> str:
    return settings.google_redirect_uri or str(request.url_for("google_callback"))


@router.post(
    "/link-start",
    response_model=GoogleAuthorizationUrl,
    summary="Start linking Google from the web app",
    responses=problem_responses(GoogleLoginDisabled, NotAuthenticated, IdentityProviderUnavailable),
)
async def start_google_link(
    request: Request,
    provider: GoogleProviderDep,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
) -> GoogleAuthorizationUrl:
    """For IronLog's web app: answer the Google authorization URL of a sign-in bound to the
    caller's account; navigate the browser to it. Its callback links that Google identity to
    the account (the browser's return from Google carries no IronLog credential, so the state is
    what names the account) and answers 303 to `/#/settings?google=linked`, or
    `/#/settings?error=<code>` (e.g. `google_identity_taken`, `google_already_linked`). The URL
    is valid once, for 10 minutes; treat it as a secret."""
    url = await google_service.start_login(
        session, provider, redirect_uri=_redirect_uri(request, settings), link_user=user, web=True
    )
    return GoogleAuthorizationUrl(authorization_url=url)


@router.get(
    "/callback",
    name="google_callback",
    response_model=AuthResult,
    summary="Finish Google sign-in",
    responses={
        **_WEB_REDIRECT,
        **problem_responses(
            GoogleLoginDisabled,
            InvalidOAuthState,
            OAuthStateExpired,
            GoogleAuthorizationFailed,
            GoogleIdentityTaken,
            GoogleAlreadyLinked,
            *_VERIFICATION_ERRORS,
        ),
    },
)
async def google_callback(
    *,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    provider: GoogleProviderDep,
    codec: TokenCodecDep,
    caller: OptionalUser,
    state: Annotated[
        str,
        Query(
            min_length=1,
            max_length=512,
            pattern=NO_NUL,
            description="The `state` Google sent back.",
        ),
    ],
    code: Annotated[
        str | None,
        Query(
            max_length=4096,
            pattern=NO_NUL,
            description="The authorization code Google sent back.",
        ),
    ] = None,
    error: Annotated[
        str | None,
        Query(
            max_length=256,
            pattern=NO_NUL,
            description="Google's error (e.g. `access_denied`), if any.",
        ),
    ] = None,
) -> AuthResult | Response:
    """Verify the state (single use, 10 minutes), exchange the code at Google's token endpoint
    with the PKCE verifier and the client secret, verify the ID token (signature by Google's
    keys, issuer, audience, expiry, nonce) and sign in: the Google identity's account, else an
    account with the same email **if Google says the email is verified** (it is linked), else a
    new account. Answers like register: `{user, tokens}`.

    A state is consumed by the first callback that presents it, even when that callback fails:
    an unknown or reused state is 400 `invalid_oauth_state`, an old one 400
    `oauth_state_expired`; then start again at `/auth/google/login`.

    **The web app**: a sign-in started with `?client=web` or `link-start` answers 303 into the
    app instead (see the 303 response); so does an unknown state on a browser navigation
    (`Sec-Fetch-Mode: navigate`), e.g. a reloaded callback page."""
    try:
        login = await google_service.consume_login(session, state=state)
    except InvalidOAuthState as failure:
        if request.headers.get("sec-fetch-mode") == "navigate":
            return _to_web_app(_web_failure(_WEB_SIGN_IN, failure))
        raise
    if login.web:
        return await _finish_web_login(
            request, session, settings, codec, provider, login, code=code, error=error
        )
    user, tokens = await google_service.finish_login(
        session,
        codec,
        provider,
        login=login,
        code=code,
        error=error,
        caller=caller,
        registration=settings.registration,
    )
    return AuthResult.model_validate({"user": user, "tokens": tokens})


async def _finish_web_login(
    request: Request,
    session: AsyncSession,
    settings: Settings,
    codec: TokenCodec,
    provider: GoogleProvider,
    login: OidcLogin,
    *,
    code: str | None,
    error: str | None,
) -> Response:
    linking = login.link_user_id is not None
    try:
        _, tokens = await google_service.finish_web_login(
            session,
            codec,
            provider,
            login=login,
            code=code,
            error=error,
            registration=settings.registration,
        )
    except DomainError as failure:
        # Google sign-in's errors keep the consumed state and nothing else (persist_changes):
        # answering normally commits the same.
        if not failure.persist_changes:
            raise
        return _to_web_app(_web_failure(_WEB_SETTINGS if linking else _WEB_SIGN_IN, failure))
    if tokens is None:
        return _to_web_app(f"{_WEB_SETTINGS}?google=linked")
    response = _to_web_app(_WEB_HOME)
    browser_session(request, settings).deliver(tokens, response)
    return response


def _web_failure(page: str, failure: DomainError) -> str:
    return f"{page}?{urlencode({'error': failure.code})}"


def _to_web_app(location: str) -> RedirectResponse:
    return RedirectResponse(
        location, status_code=status.HTTP_303_SEE_OTHER, headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/token",
    response_model=AuthResult,
    summary="Sign in with a Google ID token",
    responses=problem_responses(GoogleLoginDisabled, *_VERIFICATION_ERRORS),
)
async def google_token(
    session: SessionDep,
    settings: SettingsDep,
    provider: GoogleProviderDep,
    codec: TokenCodecDep,
    data: Annotated[GoogleIdTokenRequest, Body()],
) -> AuthResult:
    """For mobile and single-page apps that got an ID token from Google themselves (issued to
    this server's client id). The token is verified like the callback's; IronLog stores no nonce
    for it, so send your `nonce` to have it checked. Creates or links the account by the same
    rules and answers `{user, tokens}`."""
    user, tokens = await google_service.sign_in_with_id_token(
        session,
        codec,
        provider,
        id_token=data.id_token,
        nonce=data.nonce,
        registration=settings.registration,
    )
    return AuthResult.model_validate({"user": user, "tokens": tokens})


@router.post(
    "/link",
    response_model=UserRead,
    summary="Link Google to the signed-in account",
    responses=problem_responses(
        GoogleLoginDisabled,
        NotAuthenticated,
        InvalidIdToken,
        GoogleIdentityTaken,
        GoogleAlreadyLinked,
        IdentityProviderUnavailable,
    ),
)
async def link_google(
    session: SessionDep,
    provider: GoogleProviderDep,
    user: CurrentUser,
    data: Annotated[GoogleIdTokenRequest, Body()],
) -> User:
    """Link the Google identity of a verified ID token to the signed-in account, whatever that
    Google account's email is; afterwards Google sign-in reaches this account. Linking the same
    identity again changes nothing; an identity linked to another account is 409
    `google_identity_taken`, an account linked to another identity 409 `google_already_linked`.
    The account's `email_verified` becomes true when Google has verified the account's email."""
    return await google_service.link_with_id_token(
        session, provider, user=user, id_token=data.id_token, nonce=data.nonce
    )
