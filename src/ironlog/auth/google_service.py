"""Google sign-in: starting and finishing the authorization-code flow, signing in with an ID
token, and creating or linking accounts. docs/google-sign-in.md explains the rules."""

import secrets
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository
from ironlog.auth.errors import (
    AccountDisabled,
    GoogleAlreadyLinked,
    GoogleAuthorizationFailed,
    GoogleIdentityTaken,
    GoogleLinkRequired,
    InvalidIdToken,
    InvalidOAuthState,
    OAuthStateExpired,
    RegistrationClosed,
)
from ironlog.auth.google import GoogleIdentity, GoogleProvider, code_challenge, safe_error_code
from ironlog.auth.schemas import TokenPair
from ironlog.auth.service import normalize_email, start_session
from ironlog.core.clock import utc_now
from ironlog.core.security import TokenCodec, hash_token
from ironlog.models import OidcLogin, User

LOGIN_TTL = timedelta(minutes=10)
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 100


async def start_login(
    session: AsyncSession,
    provider: GoogleProvider,
    *,
    redirect_uri: str,
    link_user: User | None = None,
    web: bool = False,
) -> str:
    """Store a new single-use sign-in (state hash, nonce, PKCE verifier) and return the
    provider's authorization URL. With `link_user`, the callback links to that account; with
    `web`, the callback answers IronLog's web app (a cookie and a redirect)."""
    now = utc_now()
    await repository.delete_expired_oidc_logins(session, now)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    url = await provider.authorization_url(
        redirect_uri=redirect_uri, state=state, nonce=nonce, challenge=code_challenge(verifier)
    )
    await repository.add_oidc_login(
        session,
        OidcLogin(
            state_hash=hash_token(state),
            nonce=nonce,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            link_user_id=link_user.id if link_user else None,
            web=web,
            expires_at=now + LOGIN_TTL,
        ),
    )
    return url


async def consume_login(session: AsyncSession, *, state: str) -> OidcLogin:
    """The callback's first step: take the sign-in of this state, once."""
    login = await repository.take_oidc_login(session, hash_token(state))
    if login is None:
        raise InvalidOAuthState()
    return login


async def finish_login(
    session: AsyncSession,
    codec: TokenCodec,
    provider: GoogleProvider,
    *,
    login: OidcLogin,
    code: str | None,
    error: str | None,
    caller: User | None,
    registration: str,
) -> tuple[User, TokenPair]:
    """The callback of an API client: exchange the code, verify the ID token, sign in."""
    _ensure_fresh(login)
    if login.link_user_id is not None and (caller is None or caller.id != login.link_user_id):
        raise InvalidOAuthState(
            "This sign-in links Google to an account: finish it with that account's access token."
        )
    identity = await _callback_identity(provider, login, code=code, error=error)
    if caller is not None and login.link_user_id is not None:
        user = await link(session, user=caller, identity=identity)
    else:
        user = await resolve_account(session, identity, registration=registration)
    return user, await start_session(session, codec, user)


async def finish_web_login(
    session: AsyncSession,
    codec: TokenCodec,
    provider: GoogleProvider,
    *,
    login: OidcLogin,
    code: str | None,
    error: str | None,
    registration: str,
) -> tuple[User, TokenPair | None]:
    """The callback of a web-app sign-in (`?client=web`) or link (`link-start`). A link's state
    is bound to the account that started it, since the browser's return from Google carries
    no credential of IronLog's; a link starts no session (the tokens are None)."""
    _ensure_fresh(login)
    identity = await _callback_identity(provider, login, code=code, error=error)
    if login.link_user_id is not None:
        owner = await repository.get_user(session, login.link_user_id)
        if owner is None:  # pragma: no cover - deleting the account deletes its sign-ins
            raise InvalidOAuthState()
        return await link(session, user=owner, identity=identity), None
    user = await resolve_account(session, identity, registration=registration)
    return user, await start_session(session, codec, user)


def _ensure_fresh(login: OidcLogin) -> None:
    if login.expires_at <= utc_now():
        raise OAuthStateExpired()


async def _callback_identity(
    provider: GoogleProvider, login: OidcLogin, *, code: str | None, error: str | None
) -> GoogleIdentity:
    if error is not None:
        raise GoogleAuthorizationFailed(
            f"Google did not authorize the sign-in (`{safe_error_code(error)}`)."
        )
    if not code:
        raise GoogleAuthorizationFailed("The callback carries no authorization code.")
    id_token = await provider.exchange_code(
        code=code, redirect_uri=login.redirect_uri, code_verifier=login.code_verifier
    )
    return await provider.verify_id_token(id_token, nonce=login.nonce)


async def sign_in_with_id_token(
    session: AsyncSession,
    codec: TokenCodec,
    provider: GoogleProvider,
    *,
    id_token: str,
    nonce: str | None,
    registration: str,
) -> tuple[User, TokenPair]:
    identity = await provider.verify_id_token(id_token, nonce=nonce)
    user = await resolve_account(session, identity, registration=registration)
    return user, await start_session(session, codec, user)


async def link_with_id_token(
    session: AsyncSession, provider: GoogleProvider, *, user: User, id_token: str, nonce: str | None
) -> User:
    identity = await provider.verify_id_token(id_token, nonce=nonce)
    return await link(session, user=user, identity=identity)


async def resolve_account(
    session: AsyncSession, identity: GoogleIdentity, *, registration: str
) -> User:
    """The account of a verified Google identity: the linked one, or a new account when no
    account has its email. An existing account with that email is never linked here, even when
    Google says the email is verified: IronLog never verified that account's email, so linking
    would hand the account to whoever registered it (409 `google_link_required`; its owner signs
    in with the password and links through `POST /google/link`). A new account needs
    `registration` (`IRONLOG_REGISTRATION`) to be `open`: Google sign-up carries no invite.
    A disabled account is 403 `account_disabled`."""
    user = await repository.get_user_by_google_identity(
        session, issuer=identity.issuer, subject=identity.subject
    )
    if user is not None:
        if user.disabled_at is not None:
            raise AccountDisabled()
        return user
    if identity.email is None:
        raise InvalidIdToken("The ID token carries no email (the `email` scope is needed).")
    email = normalize_email(identity.email)
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidIdToken("The ID token's email is longer than 254 characters.")
    if await repository.get_user_by_email(session, email) is not None:
        raise GoogleLinkRequired()
    if registration != "open":
        raise RegistrationClosed(
            "This server does not accept new accounts through Google sign-in"
            + (" (it registers by invite only)." if registration == "invite" else ".")
        )
    return await _create(session, identity, email)


async def link(session: AsyncSession, *, user: User, identity: GoogleIdentity) -> User:
    """Link a verified Google identity to a signed-in user's account."""
    owner = await repository.get_user_by_google_identity(
        session, issuer=identity.issuer, subject=identity.subject
    )
    if owner is not None:
        if owner.id == user.id:
            return user
        raise GoogleIdentityTaken()
    if user.google_subject is not None:
        raise GoogleAlreadyLinked()
    return await _attach(session, user, identity)


async def _attach(session: AsyncSession, user: User, identity: GoogleIdentity) -> User:
    same_email = identity.email is not None and normalize_email(identity.email) == user.email
    try:
        async with session.begin_nested():
            user.google_issuer = identity.issuer
            user.google_subject = identity.subject
            if identity.email_verified and same_email:
                user.email_verified = True
            await session.flush()
    except IntegrityError as error:  # a concurrent request linked this identity first
        raise GoogleIdentityTaken() from error
    return user


async def _create(session: AsyncSession, identity: GoogleIdentity, email: str) -> User:
    user = User(
        email=email,
        name=_display_name(identity, email),
        password_hash=None,
        google_issuer=identity.issuer,
        google_subject=identity.subject,
        email_verified=identity.email_verified,
        is_admin=not await repository.admin_exists(session),
    )
    try:
        async with session.begin_nested():
            await repository.add_user(session, user)
    except IntegrityError as error:
        # A concurrent request created the account (same identity) or took the email.
        existing = await repository.get_user_by_google_identity(
            session, issuer=identity.issuer, subject=identity.subject
        )
        if existing is None:
            raise GoogleLinkRequired() from error
        return existing
    return user


def _display_name(identity: GoogleIdentity, email: str) -> str:
    name = (identity.name or "").strip()[:MAX_NAME_LENGTH].strip()
    return name or email.split("@", 1)[0][:MAX_NAME_LENGTH] or "Lifter"
