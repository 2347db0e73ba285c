import uuid
from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from ironlog.auth import repository
from ironlog.auth.errors import GoogleLoginDisabled
from ironlog.auth.google import GoogleProvider
from ironlog.auth.principal import ClaimedPrincipal, Principal
from ironlog.core.db import ReadSession
from ironlog.core.errors import NotAuthenticated
from ironlog.core.routing import ReadSessionDep
from ironlog.core.security import InvalidToken, PasswordHasher, TokenCodec
from ironlog.idempotency import service as idempotency
from ironlog.models import User

# The security scheme of the OpenAPI document (Swagger's Authorize uses the login form). It is
# not a dependency: the token is read from the header directly (`bearer_token`), because FastAPI
# recomputes the OAuth scopes of every dependency above a security scheme on each request, a
# cost on the hottest path. auth/openapi.py declares it on the routes that need it.
bearer_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/login",
    auto_error=False,
    description="Access token from `/api/v1/auth/login`, sent as `Authorization: Bearer <token>`.",
)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, as OAuth2PasswordBearer reads it."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


async def get_password_hasher(request: Request) -> PasswordHasher:
    hasher: PasswordHasher = request.app.state.password_hasher
    return hasher


async def get_token_codec(request: Request) -> TokenCodec:
    codec: TokenCodec = request.app.state.token_codec
    return codec


async def get_google_provider(request: Request) -> GoogleProvider:
    """The provider client, built from the current settings (and rebuilt when they change).

    404 `google_login_disabled` when `IRONLOG_GOOGLE_CLIENT_ID` is unset.
    """
    settings = request.app.state.settings
    if not settings.google_enabled:
        raise GoogleLoginDisabled()
    key = GoogleProvider.settings_key(settings)
    cached: tuple[tuple[object, ...], GoogleProvider] | None = getattr(
        request.app.state, "google_provider", None
    )
    if cached is None or cached[0] != key:
        cached = (key, GoogleProvider.from_settings(settings))
        request.app.state.google_provider = cached
    return cached[1]


PasswordHasherDep = Annotated[PasswordHasher, Depends(get_password_hasher)]
GoogleProviderDep = Annotated[GoogleProvider, Depends(get_google_provider)]
TokenCodecDep = Annotated[TokenCodec, Depends(get_token_codec)]


def _claims(request: Request, token: str) -> ClaimedPrincipal:
    # The codec comes straight from the request: this runs on every authenticated request, and
    # each dependency FastAPI resolves costs time on the hot path.
    codec: TokenCodec = request.app.state.token_codec
    try:
        claims = codec.decode(token)
    except InvalidToken as error:
        raise NotAuthenticated("The access token is invalid or expired.") from error
    structlog.contextvars.bind_contextvars(user_id=str(claims.user_id))
    return ClaimedPrincipal(user_id=claims.user_id, session_id=claims.session_id)


async def _principal_from_token(request: Request, token: str) -> Principal:
    claimed = _claims(request, token)
    session: ReadSession = request.state.session
    if not await repository.session_is_active(
        session, user_id=claimed.user_id, session_id=claimed.session_id
    ):
        raise NotAuthenticated("The session of this access token has ended.")
    return Principal(user_id=claimed.user_id, session_id=claimed.session_id)


@dataclass(frozen=True, slots=True)
class ClaimedRead:
    """What a `@read_only` route whose read statement checks the caller's session works with:
    the caller as the access token claims (see `ClaimedPrincipal`) and the session to read
    with. One dependency gives both: each dependency FastAPI solves costs a request some
    microseconds (about 10 us less for a workout read; docs/workouts.md)."""

    session: ReadSession
    caller: ClaimedPrincipal


async def get_claimed_read(request: Request) -> ClaimedRead:
    """The caller's claims, their session not checked yet, and the request's read session."""
    token = bearer_token(request)
    if not token:
        raise NotAuthenticated()
    session: ReadSession = request.state.session
    claimed = _claims(request, token)
    _check_session_before_refusal(request, claimed)
    return ClaimedRead(session, claimed)


@dataclass(frozen=True, slots=True)
class PublicRead:
    """`ClaimedRead` for a public route that shows more to a signed-in caller: `caller` is None
    without a token (an invalid one is still a 401)."""

    session: ReadSession
    caller: ClaimedPrincipal | None


async def get_public_read(request: Request) -> PublicRead:
    """The caller's claims if a token came, their session not checked yet, and the request's
    read session."""
    session: ReadSession = request.state.session
    token = bearer_token(request)
    if not token:
        return PublicRead(session, None)
    claimed = _claims(request, token)
    _check_session_before_refusal(request, claimed)
    return PublicRead(session, claimed)


async def get_principal(request: Request) -> Principal:
    token = bearer_token(request)
    if not token:
        raise NotAuthenticated()
    principal = await _principal_from_token(request, token)
    # Every authenticated POST honours Idempotency-Key; this is the one place they all pass.
    await idempotency.begin(request, request.state.session, principal.user_id)
    return principal


async def get_creator(request: Request) -> Principal | ClaimedPrincipal:
    """The caller of a create whose first write checks the session (`auth.service.
    active_session`): the token's claims, unchecked. With an `Idempotency-Key` the session is
    checked first, as for any write, because the key is claimed before the create runs."""
    if request.headers.get(idempotency.HEADER) is not None:
        return await get_principal(request)
    token = bearer_token(request)
    if not token:
        raise NotAuthenticated()
    claimed = _claims(request, token)
    _check_session_before_refusal(request, claimed)
    return claimed


def _check_session_before_refusal(request: Request, claimed: ClaimedPrincipal) -> None:
    """For a caller whose session is checked by the route's first statement: an invalid
    request (422) or a refusal found before that statement (a 404, a broken rule) must not
    outrank an ended session (401), so any refusal checks the session first."""

    async def check_session(session: ReadSession) -> None:
        if not await repository.session_is_active(
            session, user_id=claimed.user_id, session_id=claimed.session_id
        ):
            raise NotAuthenticated("The session of this access token has ended.")

    request.state.before_refusal.append(check_session)


async def get_optional_principal(request: Request) -> Principal | None:
    """For public routes that show more to a signed-in caller. A bad token is still a 401."""
    token = bearer_token(request)
    if not token:
        return None
    return await _principal_from_token(request, token)


async def get_current_user_id(principal: Annotated[Principal, Depends(get_principal)]) -> uuid.UUID:
    return principal.user_id


async def get_current_user(
    session: ReadSessionDep, principal: Annotated[Principal, Depends(get_principal)]
) -> User:
    """The signed-in user as an ORM object, for routes that read or change the account."""
    user = await repository.get_user(session, principal.user_id)
    if user is None:  # pragma: no cover - the session row would be gone with the user
        raise NotAuthenticated()
    return user


async def get_optional_user(
    session: ReadSessionDep,
    principal: Annotated[Principal | None, Depends(get_optional_principal)],
) -> User | None:
    return await repository.get_user(session, principal.user_id) if principal else None


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
# A create's caller: its session checked by its first write (see `get_creator`).
Creator = Annotated[Principal | ClaimedPrincipal, Depends(get_creator)]
# A read route's caller and session: one round trip with the read itself (see `ClaimedRead`).
Reader = Annotated[ClaimedRead, Depends(get_claimed_read)]
# The same for a public route: the caller is None without a token (see `PublicRead`).
PublicReader = Annotated[PublicRead, Depends(get_public_read)]
CurrentUserId = Annotated[uuid.UUID, Depends(get_current_user_id)]
CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]
