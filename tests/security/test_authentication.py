"""OWASP API2 (broken authentication) and API5 (broken function level authorization): every
route needs a valid access token except the ones the contract makes public."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.conftest import UserHandle
from tests.security.conftest import METHODS

# The public routes of the API (README.md, docs/security.md). Reads of the exercise library are
# public; `/exercises/my-exercises` is not.
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    # Operational: protected by IRONLOG_METRICS_TOKEN or turned off (tests/core/test_metrics.py).
    ("GET", "/metrics"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    # The reset link's token is the credential (tests/admin).
    ("POST", "/api/v1/auth/password-reset"),
    ("GET", "/api/v1/auth/config"),
    ("GET", "/api/v1/auth/google/login"),
    ("GET", "/api/v1/auth/google/callback"),
    ("POST", "/api/v1/auth/google/token"),
    ("GET", "/api/v1/exercises"),
    ("GET", "/api/v1/exercises/body-parts"),
    ("GET", "/api/v1/exercises/modalities"),
    ("GET", "/api/v1/exercises/system"),
    ("GET", "/api/v1/exercises/{exercise_id}"),
}


def every_route(app: FastAPI) -> list[tuple[str, str]]:
    """Each (method, path) the app serves, from its routes, not from its OpenAPI document."""
    routes: list[tuple[str, str]] = []
    for path, item in app.openapi()["paths"].items():
        routes.extend((method.upper(), path) for method in item if method in METHODS)
    documented = set(routes)
    for route in app.routes:  # the undocumented ones too (docs pages)
        path = getattr(route, "path_format", None)
        for method in getattr(route, "methods", None) or ():
            if path and method != "HEAD" and (method, path) not in documented:
                assert not isinstance(route, APIRoute) or not route.include_in_schema
                routes.append((method, path))
    return routes


def _url(path: str) -> str:
    return (
        path.replace("{", "")
        .replace("}", "")
        .replace("workout_id", str(uuid.uuid4()))
        .replace("exercise_id", str(uuid.uuid4()))
        .replace("set_id", str(uuid.uuid4()))
    )


async def _call(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    body = {"json": {}} if method in {"POST", "PUT", "PATCH"} else {}
    return await client.request(method, _url(path), **body, **kwargs)


def test_the_walk_covers_every_route(app: FastAPI) -> None:
    routes = every_route(app)
    assert len(routes) >= 48
    assert set(routes) >= PUBLIC


@pytest.fixture
def google_enabled(app: FastAPI) -> Iterator[None]:
    """Google sign-in configured (its routes answer 404 `google_login_disabled` otherwise)."""
    settings = app.state.settings
    app.state.settings = settings.model_copy(
        update={"google_client_id": "walk-client", "google_discovery_url": "http://127.0.0.1:9/"}
    )
    yield
    app.state.settings = settings


@pytest.mark.usefixtures("google_enabled")
@pytest.mark.parametrize("token", [None, "not-a-jwt", "Bearer", "eyJhbGciOiJub25lIn0.e30."])
async def test_every_private_route_is_401_without_a_valid_token(
    app: FastAPI, client: httpx.AsyncClient, token: str | None
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for method, path in every_route(app):
        if (method, path) in PUBLIC:
            continue
        response = await _call(client, method, path, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["code"] == "not_authenticated"


async def test_public_routes_answer_without_a_token(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for method, path in sorted(PUBLIC):
        response = await _call(client, method, path)
        assert response.status_code != 401 or path.endswith(("/login", "/refresh")), (
            method,
            path,
        )


@pytest.mark.usefixtures("google_enabled")
async def test_an_ended_session_is_refused_on_every_private_route(
    app: FastAPI, client: httpx.AsyncClient, user: UserHandle
) -> None:
    assert (await client.post("/api/v1/auth/logout-all", headers=user.headers)).status_code == 204
    for method, path in every_route(app):
        if (method, path) not in PUBLIC:
            response = await _call(client, method, path, headers=user.headers)
            assert response.status_code == 401, (method, path)
