"""A real OpenID Connect provider on 127.0.0.1 for the Google sign-in tests.

`oidc-provider-mock` runs the whole provider (discovery, authorize, token, JWKS, RS256-signed ID
tokens, users with chosen claims) in a thread. It does not check PKCE itself, so a thin WSGI
wrapper records every request it receives and makes the token endpoint refuse a code whose
`code_verifier` does not match the S256 `code_challenge` it was issued for, as Google does.
"""

import base64
import hashlib
import io
import json
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote, urlsplit

import httpx
import oidc_provider_mock
import werkzeug.serving

from tests.live_server import REQUEST_TIMEOUT

# Where the tests' "mobile app" asks the provider to send its own codes.
APP_REDIRECT_URI = "http://127.0.0.1/app-callback"

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class RecordingPkceProvider:
    """WSGI wrapper: records requests and enforces PKCE S256 at the token endpoint."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.requests: list[RecordedRequest] = []
        self._challenges: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        path = environ.get("PATH_INFO", "")
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        form = dict(parse_qsl(body.decode())) if "form" in environ.get("CONTENT_TYPE", "") else {}
        with self._lock:
            self.requests.append(RecordedRequest(environ["REQUEST_METHOD"], path, query, form))
        if path == "/oauth2/token" and form.get("grant_type") == "authorization_code":
            with self._lock:
                expected = self._challenges.pop(form.get("code", ""), None)
            if expected is not None and not self._verifier_matches(form, *expected):
                return self._refuse(start_response)

        def remember_challenge(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            location = dict(headers).get("Location", "")
            codes = parse_qs(urlsplit(location).query).get("code")
            if path == "/oauth2/authorize" and codes and "code_challenge" in query:
                method = query.get("code_challenge_method", "plain")
                with self._lock:
                    self._challenges[codes[0]] = (query["code_challenge"], method)
            return start_response(status, headers, *args)

        return self.app(environ, remember_challenge)

    @staticmethod
    def _verifier_matches(form: dict[str, str], challenge: str, method: str) -> bool:
        verifier = form.get("code_verifier", "")
        return method == "S256" and bool(verifier) and s256(verifier) == challenge

    @staticmethod
    def _refuse(start_response: StartResponse) -> list[bytes]:
        body = json.dumps(
            {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        ).encode()
        start_response(
            "400 BAD REQUEST",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def of(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()


class LocalProvider:
    def __init__(self, base_url: str, recorder: RecordingPkceProvider) -> None:
        self.base_url = base_url
        self.issuer = base_url
        self.discovery_url = f"{base_url}/.well-known/openid-configuration"
        self.recorder = recorder

    def add_user(self, sub: str | None = None, **claims: object) -> str:
        """Register a user with these claims (email, email_verified, name...); returns its sub."""
        sub = sub or f"google-{secrets.token_hex(6)}"
        response = httpx.put(
            f"{self.base_url}/users/{quote(sub, safe='')}", json=claims, timeout=REQUEST_TIMEOUT
        )
        assert response.status_code == 204, response.text
        return sub

    async def authorize(self, authorization_url: str, sub: str) -> str:
        """Act as the user's browser at the authorization endpoint: open the consent form,
        submit it as `sub`, and return where the provider redirects the browser."""
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as browser:
            form = await browser.get(authorization_url)
            assert form.status_code == 200, form.text
            answer = await browser.post(authorization_url, data={"sub": sub})
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]

    async def issue_id_token(self, sub: str, *, client_id: str, nonce: str | None = None) -> str:
        """Act as a mobile app that signs in with the provider itself and keeps the ID token."""
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": APP_REDIRECT_URI,
            "scope": "openid email profile",
            "state": secrets.token_urlsafe(8),
        }
        if nonce is not None:
            params["nonce"] = nonce
        url = str(httpx.URL(f"{self.base_url}/oauth2/authorize", params=params))
        location = await self.authorize(url, sub)
        code = parse_qs(urlsplit(location).query)["code"][0]
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as app:
            response = await app.post(
                f"{self.base_url}/oauth2/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": APP_REDIRECT_URI,
                    "client_id": client_id,
                    "client_secret": "app-secret",
                },
            )
        assert response.status_code == 200, response.text
        token: str = response.json()["id_token"]
        return token

    def public_keys(self) -> list[dict[str, Any]]:
        keys: list[dict[str, Any]] = httpx.get(
            f"{self.base_url}/jwks", timeout=REQUEST_TIMEOUT
        ).json()["keys"]
        return keys


@contextmanager
def run_local_provider() -> Iterator[LocalProvider]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    recorder = RecordingPkceProvider(oidc_provider_mock.app())
    server = werkzeug.serving.make_server("127.0.0.1", 0, recorder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield LocalProvider(f"http://127.0.0.1:{server.server_port}", recorder)
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
