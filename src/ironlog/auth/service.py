import unicodedata
import uuid
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ironlog.auth import repository, throttle
from ironlog.auth.errors import (
    AccountDisabled,
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidResetToken,
    InviteInvalid,
    RefreshTokenReused,
    RegistrationClosed,
)
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.auth.schemas import AuthConfig, PasswordResetRequest, RegisterRequest, TokenPair
from ironlog.changes import record as changes
from ironlog.core.clock import utc_now
from ironlog.core.config import Settings
from ironlog.core.db import ReadSession, session_scope
from ironlog.core.errors import NotAuthenticated
from ironlog.core.local_time import LocalCalendar, WeekStart
from ironlog.core.security import PasswordHasher, TokenCodec, hash_token, new_refresh_token
from ironlog.models import RefreshToken, User


def normalize_email(email: str) -> str:
    """The one form of an email IronLog stores and compares (register, login, password checks,
    Google): trimmed, lower-cased and in Unicode NFC, so that "josé" typed with a combining accent
    and with a precomposed "é" is one account. NFC and not NFKC: NFKC would fold distinct
    characters (ligatures, full-width letters) into one, merging addresses that differ."""
    return unicodedata.normalize("NFC", email.strip().lower())


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
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    hasher: PasswordHasher,
    codec: TokenCodec,
    settings: Settings,
    *,
    data: RegisterRequest,
    client: str | None,
) -> tuple[User, TokenPair]:
    """`IRONLOG_REGISTRATION` decides who may: `closed` refuses everyone, `invite` needs an
    unused, unexpired invite, consumed with the new account (both or neither). The first account
    of a server without an administrator becomes its administrator."""
    if settings.registration == "closed":
        raise RegistrationClosed()
    invite = data.invite if settings.registration == "invite" else None
    if settings.registration == "invite" and invite is None:
        raise InviteInvalid("This server registers new accounts by invite only: send `invite`.")
    email = normalize_email(data.email)
    await throttle.reserve_registration(sessionmaker, settings, client=client)
    # Hashed before this request's transaction starts: on SQLite that transaction holds the
    # database's write lock, which must never wait for argon2id.
    password_hash = await hasher.hash(data.password)
    if await repository.get_user_by_email(session, email) is not None:
        raise EmailTaken()
    user = User(
        email=email,
        name=data.name,
        password_hash=password_hash,
        is_admin=not await repository.admin_exists(session),
    )
    try:
        await repository.add_user(session, user)
    except IntegrityError as error:  # a concurrent registration won the race
        raise EmailTaken() from error
    if invite is not None and not await repository.use_invite(
        session, token_hash=hash_token(invite), user_id=user.id, now=utc_now()
    ):
        raise InviteInvalid()  # the unit of work rolls the new account back
    return user, await start_session(session, codec, user)


async def login(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    hasher: PasswordHasher,
    codec: TokenCodec,
    settings: Settings,
    *,
    email: str,
    password: str,
    client: str | None,
) -> TokenPair:
    """Reserve the attempt and read the account in a short transaction of their own, check the
    password outside any transaction, then start the session in the request's."""
    email = normalize_email(email)
    async with session_scope(sessionmaker) as attempt:
        reservation = await throttle.reserve_password_check(
            attempt, settings, email=email, client=client
        )
        user = await repository.get_user_by_email(attempt, email)
    # An unknown email is verified against a decoy hash: the same answer in the same time.
    password_hash = user.password_hash if user else None
    if not await hasher.verify(password_hash, password) or user is None or password_hash is None:
        raise InvalidCredentials()  # the reservation stays: it is the failure
    if user.disabled_at is not None:
        raise AccountDisabled()  # only told to whoever knows the password
    await throttle.succeeded(session, reservation, email=email)
    if hasher.needs_rehash(password_hash):
        await repository.set_password_hash(session, user.id, await hasher.hash(password))
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


async def reset_password(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    hasher: PasswordHasher,
    settings: Settings,
    *,
    data: PasswordResetRequest,
    client: str | None,
) -> None:
    """Set a new password with a one-time reset link's token and end every session of the
    account. The attempt is counted per client address first (a wrong token stays counted), and
    the password is hashed before this request's transaction starts (as in `register`)."""
    async with session_scope(sessionmaker) as attempt:
        reservation = await throttle.reserve_password_reset(attempt, settings, client=client)
    password_hash = await hasher.hash(data.new_password)
    reset = await repository.take_password_reset(session, hash_token(data.token))
    if reset is None or reset.expires_at <= utc_now():
        raise InvalidResetToken()
    await repository.set_password_hash(session, reset.user_id, password_hash)
    await repository.revoke_user_sessions(session, reset.user_id)
    await throttle.take_back(session, reservation)


def active_session(principal: ClaimedPrincipal) -> changes.Condition:
    """The condition that the principal's session is active, for a write that folds the
    session check into its first statement (`changes.record.next_seq_if`): a create, so that
    the check costs no round trip of its own. Refused: `session_ended`."""
    return changes.Condition(repository.ACTIVE_SESSION, principal.params())


Found = TypeVar("Found")


def session_ended() -> NotAuthenticated:
    return NotAuthenticated("The session of this access token has ended.")


def checked(found: Found | None) -> Found:
    """What a read whose statement checked the caller's session found; None there means the
    session had ended (`session_ended`)."""
    if found is None:
        raise session_ended()
    return found


def public_config(settings: Settings) -> AuthConfig:
    """What the sign-in screen shows: Google sign-in, and who may register."""
    return AuthConfig(google_enabled=settings.google_enabled, registration=settings.registration)


async def get_calendar(session: ReadSession, *, user_id: uuid.UUID) -> LocalCalendar:
    """The time zone and week start that decide the user's local dates and weeks (from the
    preferences, which the users package owns; read here so every feature can use them)."""
    return _calendar(await repository.get_calendar_settings(session, user_id))


async def get_calendar_checked(session: ReadSession, principal: ClaimedPrincipal) -> LocalCalendar:
    """`get_calendar` for a caller whose session has not been checked yet, checked by the same
    statement: a read whose first query is this one costs no round trip for the check. An
    ended session is `session_ended`."""
    active, settings = await repository.get_calendar_settings_checked(session, principal)
    if not active:
        raise session_ended()
    return _calendar(settings)


def _calendar(settings: tuple[str, str] | None) -> LocalCalendar:
    if settings is None:
        return LocalCalendar()
    timezone, week_starts_on = settings
    return LocalCalendar(timezone, WeekStart(week_starts_on))
