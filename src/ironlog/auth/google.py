"""The client of Google's OpenID Connect provider: discovery, signing keys, code exchange and
ID-token verification.

Any OpenID Connect provider works the same way: the discovery document's URL is a setting, so the
tests run the whole flow against a real local provider. The discovery document and the key set
(JWKS) are cached per process; the key set is fetched again once when a token names an unknown
key. PyJWT checks the signatures; docs/google-sign-in.md lists the rules.
"""

import base64
import hashlib
import hmac
import re
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
import structlog

from ironlog.auth.errors import (
    GoogleAuthorizationFailed,
    IdentityProviderUnavailable,
    InvalidIdToken,
)
from ironlog.core.clock import utc_now
from ironlog.core.config import Settings

logger = structlog.get_logger("ironlog.auth.google")

SCOPES = "openid email profile"
CACHE_TTL = timedelta(hours=1)
# A token naming an unknown key fetches the key set again, but not more often than this.
JWKS_REFRESH_INTERVAL = timedelta(seconds=60)
LEEWAY_SECONDS = 60
# Google's discovery document names https://accounts.google.com, but its ID tokens may say either.
_GOOGLE_ISSUER = "https://accounts.google.com"
_GOOGLE_ISSUER_ALIAS = "accounts.google.com"

# Asymmetric algorithms only (never `none` or HS*), each with the key type it needs.
_KEY_TYPES: dict[str, tuple[str, frozenset[str] | None]] = {
    **dict.fromkeys(("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"), ("RSA", None)),
    "ES256": ("EC", frozenset({"P-256"})),
    "ES384": ("EC", frozenset({"P-384"})),
    "ES512": ("EC", frozenset({"P-521"})),
    "EdDSA": ("OKP", frozenset({"Ed25519", "Ed448"})),
}
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """The parts of the discovery document IronLog uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: frozenset[str]

    @classmethod
    def parse(cls, document: Any) -> "ProviderMetadata":
        if not isinstance(document, dict):
            raise _bad_answer("discovery document", "not a JSON object")
        urls = {}
        for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = document.get(name)
            if not isinstance(value, str) or not value.startswith(("https://", "http://")):
                raise _bad_answer("discovery document", f"no `{name}` URL")
            urls[name] = value
        advertised = document.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = frozenset(alg for alg in advertised if alg in _KEY_TYPES)
        return cls(**urls, algorithms=algorithms)


@dataclass(frozen=True, slots=True)
class GoogleIdentity:
    """Who a verified ID token says the user is. The key is (issuer, subject), never the email."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


def code_challenge(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def safe_error_code(value: object) -> str:
    """An OAuth error code fit to repeat in a problem's detail (anything else is `error`)."""
    return value if isinstance(value, str) and _ERROR_CODE.fullmatch(value) else "error"


def _bad_answer(what: str, why: str) -> IdentityProviderUnavailable:
    logger.warning("identity_provider_bad_answer", what=what, why=why)
    return IdentityProviderUnavailable(f"Google sign-in answered with an unusable {what}.")


class GoogleProvider:
    """One provider configuration with its caches; rebuilt when the settings change."""

    def __init__(
        self,
        *,
        discovery_url: str,
        client_id: str,
        client_secret: str | None,
        timeout_seconds: float,
        app_client_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.discovery_url = discovery_url
        self.client_id = client_id
        # Audiences (and authorized parties) an ID token may name: this server's client id and
        # those of the operator's own mobile apps (Google gives Android tokens `azp` = the app).
        self.audiences = frozenset({client_id}) | app_client_ids
        self._client_secret = client_secret
        self._timeout = httpx.Timeout(timeout_seconds)
        self._ssl_context: ssl.SSLContext | None = None
        self._metadata: ProviderMetadata | None = None
        self._metadata_expires_at: datetime | None = None
        self._jwks: list[dict[str, Any]] = []
        self._jwks_uri: str | None = None
        self._jwks_fetched_at: datetime | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "GoogleProvider":
        secret = settings.google_client_secret
        return cls(
            discovery_url=settings.google_discovery_url,
            client_id=settings.google_client_id or "",
            client_secret=secret.get_secret_value() if secret else None,
            timeout_seconds=settings.google_http_timeout_seconds,
            app_client_ids=frozenset(settings.google_app_client_ids),
        )

    @staticmethod
    def settings_key(settings: Settings) -> tuple[object, ...]:
        return (
            settings.google_discovery_url,
            settings.google_client_id,
            settings.google_client_secret,
            settings.google_http_timeout_seconds,
            tuple(settings.google_app_client_ids),
        )

    # Outbound HTTP

    async def _request(self, what: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        if self._ssl_context is None:
            # Building it costs tens of milliseconds (the CA bundle); once per provider.
            self._ssl_context = httpx.create_ssl_context()
        try:
            async with httpx.AsyncClient(timeout=self._timeout, verify=self._ssl_context) as client:
                response = await client.request(
                    method, url, headers={"Accept": "application/json"}, **kwargs
                )
        except httpx.HTTPError as error:
            logger.warning("identity_provider_unreachable", what=what, error=type(error).__name__)
            raise IdentityProviderUnavailable() from error
        if response.status_code >= 500:
            logger.warning("identity_provider_error", what=what, status=response.status_code)
            raise IdentityProviderUnavailable()
        return response

    async def _get_json(self, what: str, url: str) -> Any:
        response = await self._request(what, "GET", url)
        if response.status_code != 200:
            raise _bad_answer(what, f"status {response.status_code}")
        try:
            return response.json()
        except ValueError as error:
            raise _bad_answer(what, "not JSON") from error

    # Discovery and keys

    async def metadata(self) -> ProviderMetadata:
        now = utc_now()
        expires_at = self._metadata_expires_at
        if self._metadata is None or expires_at is None or now >= expires_at:
            document = await self._get_json("discovery document", self.discovery_url)
            self._metadata = ProviderMetadata.parse(document)
            self._metadata_expires_at = now + CACHE_TTL
        return self._metadata

    async def _key_set(self, metadata: ProviderMetadata, *, refresh: bool) -> list[dict[str, Any]]:
        now = utc_now()
        stale = (
            self._jwks_fetched_at is None
            or self._jwks_uri != metadata.jwks_uri
            or now >= self._jwks_fetched_at + CACHE_TTL
        )
        if stale or refresh:
            document = await self._get_json("key set", metadata.jwks_uri)
            keys = document.get("keys") if isinstance(document, dict) else None
            if not isinstance(keys, list):
                raise _bad_answer("key set", "no `keys` list")
            self._jwks = [key for key in keys if isinstance(key, dict)]
            self._jwks_uri = metadata.jwks_uri
            self._jwks_fetched_at = now
        return self._jwks

    async def _signing_key(self, metadata: ProviderMetadata, kid: object, alg: str) -> Any:
        keys = await self._key_set(metadata, refresh=False)
        jwk = _select_key(keys, kid, alg)
        fetched_at = self._jwks_fetched_at
        may_refresh = fetched_at is not None and utc_now() >= fetched_at + JWKS_REFRESH_INTERVAL
        if jwk is None and kid is not None and may_refresh:
            jwk = _select_key(await self._key_set(metadata, refresh=True), kid, alg)
        if jwk is None:
            raise InvalidIdToken("The ID token is signed by a key the provider does not publish.")
        try:
            return jwt.PyJWK(jwk, algorithm=alg).key
        except jwt.PyJWTError as error:
            raise InvalidIdToken("The provider's key for this ID token is unusable.") from error

    # The authorization-code flow

    async def authorization_url(
        self, *, redirect_uri: str, state: str, nonce: str, challenge: str
    ) -> str:
        metadata = await self.metadata()
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return str(httpx.URL(metadata.authorization_endpoint).copy_merge_params(params))

    async def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> str:
        """Trade an authorization code for the ID token (client_secret_post with PKCE)."""
        metadata = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.client_id,
            "code_verifier": code_verifier,
        }
        if self._client_secret:
            form["client_secret"] = self._client_secret
        response = await self._request("token", "POST", metadata.token_endpoint, data=form)
        try:
            body = response.json()
        except ValueError as error:
            raise _bad_answer("token response", "not JSON") from error
        if response.status_code in (400, 401):
            error_code = safe_error_code(body.get("error") if isinstance(body, dict) else None)
            raise GoogleAuthorizationFailed(
                f"Google refused the authorization code (`{error_code}`)."
            )
        if response.status_code != 200 or not isinstance(body, dict):
            raise _bad_answer("token response", f"status {response.status_code}")
        id_token = body.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise GoogleAuthorizationFailed("Google's token response carries no ID token.")
        return id_token

    # ID tokens

    async def verify_id_token(self, token: str, *, nonce: str | None) -> GoogleIdentity:
        """Check signature, issuer, audience, authorized party, times and nonce (when given)."""
        metadata = await self.metadata()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidIdToken("The ID token is malformed.") from error
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in metadata.algorithms:
            raise InvalidIdToken(
                "The ID token is signed with an algorithm the provider does not use."
            )
        key = await self._signing_key(metadata, header.get("kid"), alg)
        issuers = {metadata.issuer}
        if metadata.issuer == _GOOGLE_ISSUER:
            issuers.add(_GOOGLE_ISSUER_ALIAS)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.audiences,
                issuer=issuers,
                # Times are checked below against IronLog's clock.
                options={
                    "require": ["iss", "sub", "aud", "exp", "iat"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as error:
            raise InvalidIdToken(_explain(error)) from error
        self._check_claims(claims, nonce)
        return _identity(claims, metadata.issuer)

    def _check_claims(self, claims: dict[str, Any], nonce: str | None) -> None:
        _check_times(claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        azp = claims.get("azp")
        if (azp is not None or len(audiences) > 1) and azp not in self.audiences:
            raise InvalidIdToken("The ID token was issued to another client (`azp`).")
        if nonce is not None:
            claimed = claims.get("nonce")
            if not isinstance(claimed, str) or not hmac.compare_digest(
                claimed.encode(), nonce.encode()
            ):
                raise InvalidIdToken("The ID token's nonce does not match.")


def _select_key(keys: list[dict[str, Any]], kid: object, alg: str) -> dict[str, Any] | None:
    """The published key for this token: by `kid`, or the only fitting key when it names none."""
    kty, curves = _KEY_TYPES[alg]
    fitting = [
        key
        for key in keys
        if key.get("kty") == kty
        and key.get("use", "sig") == "sig"
        and key.get("alg", alg) == alg
        and (curves is None or key.get("crv") in curves)
    ]
    if kid is not None:
        return next((key for key in fitting if key.get("kid") == kid), None)
    return fitting[0] if len(fitting) == 1 else None


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidIdToken(f"The ID token's `{name}` is not a number.")
    return float(value)


def _check_times(claims: dict[str, Any]) -> None:
    now = utc_now().timestamp()
    if _number(claims, "exp") <= now - LEEWAY_SECONDS:
        raise InvalidIdToken("The ID token has expired.")
    if _number(claims, "iat") > now + LEEWAY_SECONDS:
        raise InvalidIdToken("The ID token is issued in the future.")
    if "nbf" in claims and _number(claims, "nbf") > now + LEEWAY_SECONDS:
        raise InvalidIdToken("The ID token is not valid yet.")


def _explain(error: jwt.PyJWTError) -> str:
    if isinstance(error, jwt.InvalidSignatureError):
        return "The ID token's signature does not verify."
    if isinstance(error, jwt.InvalidAudienceError):
        return "The ID token was issued to another client (`aud`)."
    if isinstance(error, jwt.InvalidIssuerError):
        return "The ID token comes from another issuer."
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"The ID token lacks the `{error.claim}` claim."
    return "The ID token is malformed."


def _identity(claims: dict[str, Any], issuer: str) -> GoogleIdentity:
    subject = claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise InvalidIdToken("The ID token's `sub` is not a usable identifier.")
    email = claims.get("email")
    verified = claims.get("email_verified")
    name = claims.get("name")
    return GoogleIdentity(
        # The discovery document's issuer, so that Google's two spellings are one identity.
        issuer=issuer,
        subject=subject,
        email=email if isinstance(email, str) and email else None,
        # Some providers send the boolean as a string.
        email_verified=verified is True or verified == "true",
        name=name if isinstance(name, str) else None,
    )
