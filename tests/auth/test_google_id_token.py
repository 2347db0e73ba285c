"""ID-token verification and the routes that take an ID token (`/google/token`, `/google/link`),
against tokens the local provider really issued. The only fakes are the clock and a second key
that signs forged tokens."""

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth.errors import InvalidIdToken
from ironlog.auth.google import JWKS_REFRESH_INTERVAL, LEEWAY_SECONDS, GoogleProvider, _select_key
from ironlog.models import User
from tests.auth.conftest import GOOGLE_CLIENT_ID, ConfigureGoogle, MovableClock
from tests.auth.google_helpers import GOOGLE_LINK, GOOGLE_TOKEN, ME
from tests.auth.oidc_provider import LocalProvider
from tests.conftest import UserHandle

TOKEN_LIFETIME = 3600  # the provider's default


@pytest.fixture(scope="module")
def forger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def forge(
    key: rsa.RSAPrivateKey, claims: dict[str, Any], *, kid: str | None, alg: str = "RS256"
) -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(claims, key, algorithm=alg, headers=headers)


def genuine_claims(provider: LocalProvider, sub: str, **extra: object) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": provider.issuer,
        "aud": GOOGLE_CLIENT_ID,
        "sub": sub,
        "iat": now,
        "exp": now + TOKEN_LIFETIME,
        "email": "forged@example.com",
        "email_verified": True,
        **extra,
    }


def unsigned(claims: dict[str, Any], header: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


async def token_sign_in(
    client: httpx.AsyncClient, id_token: str, nonce: str | None = None
) -> httpx.Response:
    body = {"id_token": id_token} if nonce is None else {"id_token": id_token, "nonce": nonce}
    return await client.post(GOOGLE_TOKEN, json=body)


def assert_refused(response: httpx.Response, about: str) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_id_token"
    assert about in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


# The token route


async def test_id_token_signs_in_and_creates_the_account(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    sub = oidc_provider.add_user(email="mobile@example.com", email_verified=True, name="Mo")
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)

    response = await token_sign_in(client, id_token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"user", "tokens"}
    assert body["user"]["email"] == "mobile@example.com"
    assert body["user"]["google_linked"] is True
    me = await client.get(ME, headers={"Authorization": f"Bearer {body['tokens']['access_token']}"})
    assert me.json()["id"] == body["user"]["id"]
    stored = await db.scalar(select(User).where(User.google_subject == sub))
    assert stored is not None and stored.google_issuer == oidc_provider.issuer


async def test_nonce_is_checked_when_given(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="nonce-app@example.com", email_verified=True)
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID, nonce="n-123")

    assert_refused(await token_sign_in(client, id_token, nonce="n-456"), "nonce")
    assert (await token_sign_in(client, id_token, nonce="n-123")).status_code == 200
    # Without a nonce in the request the token's own nonce is not checked.
    assert (await token_sign_in(client, id_token)).status_code == 200


async def test_nonce_given_for_a_token_without_one_is_refused(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="no-nonce@example.com", email_verified=True)
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    assert_refused(await token_sign_in(client, id_token, nonce="n-123"), "nonce")


async def test_token_for_another_client_is_refused(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="elsewhere@example.com", email_verified=True)
    id_token = await oidc_provider.issue_id_token(sub, client_id="someone-elses-app")
    assert_refused(await token_sign_in(client, id_token), "another client")


async def test_tokens_of_the_operators_own_apps_are_accepted_when_configured(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="android@example.com", email_verified=True)
    id_token = await oidc_provider.issue_id_token(sub, client_id="our-android-app")
    assert_refused(await token_sign_in(client, id_token), "another client")
    configure_google(google_app_client_ids=["our-ios-app", "our-android-app"])
    assert (await token_sign_in(client, id_token)).status_code == 200


async def test_expired_token_is_refused_after_the_leeway(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    google_clock: MovableClock,
) -> None:
    sub = oidc_provider.add_user(email="late@example.com", email_verified=True)
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)

    google_clock.advance(TOKEN_LIFETIME + LEEWAY_SECONDS // 2)
    assert (await token_sign_in(client, id_token)).status_code == 200
    google_clock.advance(LEEWAY_SECONDS)
    assert_refused(await token_sign_in(client, id_token), "expired")


async def test_token_issued_in_the_future_is_refused(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    google_clock: MovableClock,
) -> None:
    sub = oidc_provider.add_user(email="early@example.com", email_verified=True)
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    google_clock.advance(-(LEEWAY_SECONDS + 5))
    assert_refused(await token_sign_in(client, id_token), "future")


async def test_token_without_email_creates_no_account(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    sub = oidc_provider.add_user(name="No Mail")  # a user whose claims hold no email
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    assert_refused(await token_sign_in(client, id_token), "email")
    assert await db.scalar(select(User).where(User.google_subject == sub)) is None


async def test_unverified_email_of_an_existing_account_is_409(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    sub = oidc_provider.add_user(email=user.email)  # no email_verified claim at all
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    response = await token_sign_in(client, id_token)
    assert response.status_code == 409
    assert response.json()["code"] == "google_link_required"


# Forged and malformed tokens


async def test_token_signed_by_another_key_is_refused(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    forger_key: rsa.RSAPrivateKey,
) -> None:
    sub = oidc_provider.add_user(email="target@example.com", email_verified=True)
    [published] = oidc_provider.public_keys()
    claims = genuine_claims(oidc_provider, sub)
    # With the provider's key id, and without any (the provider publishes a single key).
    for kid in (published["kid"], None):
        assert_refused(await token_sign_in(client, forge(forger_key, claims, kid=kid)), "signature")


async def test_unknown_key_id_fetches_the_key_set_again_once(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    google_clock: MovableClock,
    forger_key: rsa.RSAPrivateKey,
) -> None:
    sub = oidc_provider.add_user(email="rotation@example.com", email_verified=True)
    genuine = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    forged = forge(forger_key, genuine_claims(oidc_provider, sub), kid="rotated-key")
    oidc_provider.recorder.clear()

    assert (await token_sign_in(client, genuine)).status_code == 200
    assert len(oidc_provider.recorder.of("/jwks")) == 1
    # Keys are cached: a second token needs no fetch, and neither does a forged one soon after.
    assert (await token_sign_in(client, genuine)).status_code == 200
    assert_refused(await token_sign_in(client, forged), "key")
    assert len(oidc_provider.recorder.of("/jwks")) == 1
    # Later, an unknown key id fetches the set once more (the provider may have rotated).
    google_clock.advance(JWKS_REFRESH_INTERVAL.total_seconds())
    assert_refused(await token_sign_in(client, forged), "key")
    assert len(oidc_provider.recorder.of("/jwks")) == 2
    assert len(oidc_provider.recorder.of("/.well-known/openid-configuration")) == 1


@pytest.mark.parametrize("alg", ["none", "HS256"])
async def test_symmetric_and_unsigned_tokens_are_refused(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    alg: str,
) -> None:
    sub = oidc_provider.add_user(email="confused@example.com", email_verified=True)
    [published] = oidc_provider.public_keys()
    claims = genuine_claims(oidc_provider, sub)
    header = {"alg": alg, "typ": "JWT", "kid": published["kid"]}
    if alg == "none":
        token = unsigned(claims, header)
    else:
        # The classic confusion attack: HMAC keyed with the provider's public key.
        public_pem = (
            jwt.PyJWK(published)
            .key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        signing_input = unsigned(claims, header).rstrip(".")
        mac = hmac.new(public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert_refused(await token_sign_in(client, token), "algorithm")


async def test_token_from_another_issuer_is_refused(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    """A genuine token of the provider, presented to an IronLog configured for another
    issuer's discovery document naming the same keys, is refused."""
    sub = oidc_provider.add_user(email="issuer@example.com", email_verified=True)
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    # The same provider reached as `localhost` names itself differently in discovery.
    configure_google(
        google_discovery_url=oidc_provider.discovery_url.replace("127.0.0.1", "localhost")
    )
    assert_refused(await token_sign_in(client, id_token), "issuer")


@pytest.mark.parametrize("id_token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA"])
async def test_malformed_tokens_are_refused(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle, id_token: str
) -> None:
    response = await token_sign_in(client, id_token)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_id_token"


async def test_empty_or_oversized_token_is_422(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle
) -> None:
    for body in ({"id_token": ""}, {"id_token": "x" * 9000}, {}, {"id_token": "x", "extra": 1}):
        response = await client.post(GOOGLE_TOKEN, json=body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_error"


def test_key_selection_by_kid_or_the_only_fitting_key() -> None:
    rsa_a = {"kty": "RSA", "kid": "a", "n": "x", "e": "AQAB"}
    rsa_b = {"kty": "RSA", "kid": "b", "n": "y", "e": "AQAB", "use": "sig", "alg": "RS256"}
    encryption = {"kty": "RSA", "kid": "c", "n": "z", "e": "AQAB", "use": "enc"}
    ec = {"kty": "EC", "kid": "d", "crv": "P-256", "x": "x", "y": "y"}
    hmac_key = {"kty": "oct", "kid": "e", "k": "c2VjcmV0"}

    assert _select_key([rsa_a, rsa_b], "b", "RS256") is rsa_b
    assert _select_key([rsa_a, rsa_b], "z", "RS256") is None
    # No kid: the single key that fits the algorithm, never a guess among several.
    assert _select_key([rsa_a, encryption, ec, hmac_key], None, "RS256") is rsa_a
    assert _select_key([rsa_a, rsa_b], None, "RS256") is None
    assert _select_key([ec, rsa_a], None, "ES256") is ec
    assert _select_key([ec], None, "ES384") is None
    assert _select_key([rsa_b], "b", "PS256") is None  # the key is pinned to RS256
    assert _select_key([hmac_key], "e", "RS256") is None


# Linking a signed-in account


async def test_signed_in_user_links_google_with_an_id_token(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    sub = oidc_provider.add_user(email=user.email, email_verified=True)
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)

    response = await client.post(GOOGLE_LINK, json={"id_token": id_token}, headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == str(user.id)
    assert response.json()["google_linked"] is True
    assert response.json()["email_verified"] is True  # Google verified this very email
    me = await client.get(ME, headers=user.headers)
    assert me.json()["google_linked"] is True
    # Linking again is harmless, and Google sign-in now reaches the account.
    again = await client.post(GOOGLE_LINK, json={"id_token": id_token}, headers=user.headers)
    assert again.status_code == 200
    assert (await token_sign_in(client, id_token)).json()["user"]["id"] == str(user.id)


async def test_link_conflicts(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
    other_user: UserHandle,
) -> None:
    first = oidc_provider.add_user(email="one@example.com", email_verified=True)
    second = oidc_provider.add_user(email="two@example.com", email_verified=True)
    first_token = await oidc_provider.issue_id_token(first, client_id=GOOGLE_CLIENT_ID)
    second_token = await oidc_provider.issue_id_token(second, client_id=GOOGLE_CLIENT_ID)
    linked = await client.post(GOOGLE_LINK, json={"id_token": first_token}, headers=user.headers)
    assert linked.status_code == 200

    taken = await client.post(
        GOOGLE_LINK, json={"id_token": first_token}, headers=other_user.headers
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "google_identity_taken"
    already = await client.post(GOOGLE_LINK, json={"id_token": second_token}, headers=user.headers)
    assert already.status_code == 409
    assert already.json()["code"] == "google_already_linked"


async def test_link_needs_a_signed_in_user_and_a_valid_token(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    sub = oidc_provider.add_user(email="anon@example.com", email_verified=True)
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    anonymous = await client.post(GOOGLE_LINK, json={"id_token": id_token})
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    foreign = await oidc_provider.issue_id_token(sub, client_id="someone-elses-app")
    refused = await client.post(GOOGLE_LINK, json={"id_token": foreign}, headers=user.headers)
    assert_refused(refused, "another client")
    assert (await client.get(ME, headers=user.headers)).json()["google_linked"] is False


@pytest.mark.parametrize(
    ("aud", "azp", "accepted"),
    [
        ([GOOGLE_CLIENT_ID], None, True),
        (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_ID, True),
        ([GOOGLE_CLIENT_ID, "other"], GOOGLE_CLIENT_ID, True),
        ([GOOGLE_CLIENT_ID], "other", False),  # authorized party is someone else
        ([GOOGLE_CLIENT_ID, "other"], None, False),  # several audiences need azp
        (GOOGLE_CLIENT_ID, "our-android-app", True),  # Google's Android tokens
    ],
)
def test_authorized_party_must_be_this_client(aud: object, azp: str | None, accepted: bool) -> None:
    """The provider never sets `azp`, so this rule is checked on claims directly."""
    provider = GoogleProvider(
        discovery_url="http://127.0.0.1:9/unused",
        client_id=GOOGLE_CLIENT_ID,
        client_secret=None,
        timeout_seconds=1,
        app_client_ids=frozenset({"our-android-app"}),
    )
    now = int(time.time())
    claims: dict[str, Any] = {"aud": aud, "iat": now, "exp": now + 60}
    if azp is not None:
        claims["azp"] = azp
    if accepted:
        provider._check_claims(claims, nonce=None)
    else:
        with pytest.raises(InvalidIdToken, match="azp"):
            provider._check_claims(claims, nonce=None)
