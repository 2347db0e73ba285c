"""Password hashing (argon2id) and access tokens (JWT).

Hashing runs in worker threads behind a limiter: each argon2id hash holds its memory cost for
tens of milliseconds, so a burst of logins must queue instead of exhausting memory.
"""

import functools
import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio
import jwt
from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ironlog.core.config import Settings

JWT_ALGORITHM = "HS256"
VERIFIED_TOKENS_KEPT = 4096
_REQUIRED_CLAIMS = ["sub", "sid", "exp", "iat", "iss", "aud", "jti"]


# The decoy hash of each argon2id cost, made once per process (`PasswordHasher.make_decoy`), or
# once by `ironlog serve` for all the workers it forks.
_decoys: dict[tuple[int, int, int], str] = {}
_decoys_lock = threading.Lock()


class PasswordHasher:
    def __init__(self, settings: Settings) -> None:
        self._cost = (
            settings.argon2_time_cost,
            settings.argon2_memory_cost_kib,
            settings.argon2_parallelism,
        )
        self._hasher = Argon2Hasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._limiter = anyio.CapacityLimiter(settings.password_hash_concurrency)

    async def prepare(self) -> None:
        """Make the decoy hash in a worker thread, if not made yet (the application's lifespan
        starts this in the background): not in `__init__`, as a hash takes half a second at
        production cost and a server process must answer as soon as it starts."""
        await anyio.to_thread.run_sync(self.make_decoy, limiter=self._limiter)

    def make_decoy(self) -> str:
        """The hash verified when the email is unknown, so that answer takes as long as a
        wrong password does (made by the first call)."""
        with _decoys_lock:
            decoy = _decoys.get(self._cost)
            if decoy is None:
                decoy = _decoys[self._cost] = self._hasher.hash(secrets.token_urlsafe(16))
            return decoy

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await anyio.to_thread.run_sync(
            self._verify, password_hash, password, limiter=self._limiter
        )

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self.make_decoy(), password) and (
                password_hash is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    expires_at: int


class InvalidToken(Exception):
    pass


class TokenCodec:
    """Issues and verifies access tokens: one pinned algorithm, issuer and audience."""

    def __init__(self, settings: Settings) -> None:
        self._key = settings.signing_key
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.ttl = timedelta(seconds=settings.access_token_ttl_seconds)
        self.refresh_ttl = timedelta(seconds=settings.refresh_token_ttl_seconds)
        self._verified = functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._verify)

    def encode(self, *, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime) -> str:
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "sid": str(session_id),
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
            "iss": self._issuer,
            "aud": self._audience,
            "jti": secrets.token_hex(16),
        }
        return jwt.encode(claims, self._key, algorithm=JWT_ALGORITHM)

    def decode(self, token: str) -> AccessClaims:
        """The token's claims, once its signature, algorithm, issuer, audience and expiry check.

        A client sends the same access token for its whole lifetime, so a token verified once
        is remembered (bounded; only valid tokens are kept, failures raise and are not cached)
        and only its expiry is checked again. Revocation is not decided here: the session check
        in the database runs on every request.
        """
        claims = self._verified(token)
        if claims.expires_at <= time.time():
            raise InvalidToken("Signature has expired")
        return claims

    def _verify(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[JWT_ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": _REQUIRED_CLAIMS},
            )
            return AccessClaims(uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"]), claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidToken(str(error)) from error


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Refresh tokens are random 256-bit strings, so a plain SHA-256 is a safe lookup key."""
    return hashlib.sha256(token.encode()).hexdigest()
