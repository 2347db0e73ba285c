import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository, throttle
from ironlog.auth.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
)
from ironlog.auth.schemas import AuthConfig, RegisterRequest, TokenPair
from ironlog.core.clock import utc_now
from ironlog.core.config import Settings
from ironlog.core.security import PasswordHasher, TokenCodec, hash_token, new_refresh_token
from ironlog.models import RefreshToken, User


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def issue_tokens(
    session: AsyncSession, codec: TokenCodec, *, user_id: uuid.UUID, family_id: uuid.UUID
) -> tuple[TokenPair, RefreshToken]:
    now = utc_now()
    raw_refresh = new_refresh_token()
    refresh = await repository.add_refresh_token(
        session,
        user_id=user_id,
        family_id=family_id,
        token_hash=hash_token(raw_refresh),
        expires_at=now + codec.refresh_ttl,
    )
    pair = TokenPair(
        access_token=codec.encode(user_id=user_id, session_id=family_id, now=now),
        refresh_token=raw_refresh,
        expires_in=int(codec.ttl.total_seconds()),
    )
    return pair, refresh


async def start_session(session: AsyncSession, codec: TokenCodec, user: User) -> TokenPair:
    auth_session = await repository.add_session(session, user.id)
    pair, _ = await issue_tokens(session, codec, user_id=user.id, family_id=auth_session.id)
    return pair


async def register(
    session: AsyncSession, hasher: PasswordHasher, codec: TokenCodec, *, data: RegisterRequest
) -> tuple[User, TokenPair]:
    email = normalize_email(data.email)
    if await repository.get_user_by_email(session, email) is not None:
        raise EmailTaken()
    user = User(email=email, name=data.name, password_hash=await hasher.hash(data.password))
    try:
        await repository.add_user(session, user)
    except IntegrityError as error:  # a concurrent registration won the race
        raise EmailTaken() from error
    return user, await start_session(session, codec, user)


async def login(
    session: AsyncSession,
    hasher: PasswordHasher,
    codec: TokenCodec,
    settings: Settings,
    *,
    email: str,
    password: str,
    client: str | None,
) -> TokenPair:
    email = normalize_email(email)
    await throttle.ensure_allowed(session, settings, email=email, client=client)
    user = await repository.get_user_by_email(session, email)
    # An unknown email is verified against a decoy hash: the same answer in the same time.
    password_hash = user.password_hash if user else None
    if not await hasher.verify(password_hash, password) or user is None or password_hash is None:
        await throttle.record_failure(session, settings, email=email, client=client)
        raise InvalidCredentials()
    if hasher.needs_rehash(password_hash):
        user.password_hash = await hasher.hash(password)
    await throttle.clear(session, email=email)
    return await start_session(session, codec, user)


async def refresh(session: AsyncSession, codec: TokenCodec, *, raw_token: str) -> TokenPair:
    """Rotate a refresh token. Presenting a rotated one again revokes its whole session."""
    found = await repository.find_refresh_token(session, hash_token(raw_token))
    if found is None:
        raise InvalidRefreshToken()
    token, family = found
    if token.replaced_by is not None:
        await repository.revoke_session(session, family.id)
        raise RefreshTokenReused()
    if family.revoked_at or token.revoked_at or token.expires_at <= utc_now():
        raise InvalidRefreshToken()
    pair, successor = await issue_tokens(session, codec, user_id=token.user_id, family_id=family.id)
    if not await repository.mark_replaced(session, token.id, successor.id):
        # A concurrent refresh rotated this token first: the same token was used twice.
        await repository.revoke_session(session, family.id)
        raise RefreshTokenReused()
    return pair


async def logout(session: AsyncSession, *, raw_token: str) -> None:
    """End the token's session. Unknown or revoked tokens are accepted silently (RFC 7009)."""
    found = await repository.find_refresh_token(session, hash_token(raw_token))
    if found is not None:
        await repository.revoke_session(session, found[1].id)


async def logout_all(session: AsyncSession, *, user: User) -> None:
    await repository.revoke_user_sessions(session, user.id)


def public_config(settings: Settings) -> AuthConfig:
    """What the sign-in screen shows. Registration is open to anyone today; a registration
    setting fills `registration` when it exists."""
    return AuthConfig(google_enabled=settings.google_enabled, registration="open")
