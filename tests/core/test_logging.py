"""The logs of a real `ironlog serve`: one JSON line per request with its id, the user, the route
template, status and duration; never a token or a password, even at DEBUG."""

import json
import secrets
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.live_server import REQUEST_TIMEOUT, live_server


def _request_lines(log: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "request"]


def test_request_log_lines_carry_context_and_never_secrets(tmp_path: Path) -> None:
    password, new_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    wrong_password = secrets.token_urlsafe(12)
    email = f"log-{secrets.token_hex(4)}@example.com"
    database_url = f"sqlite:///{tmp_path / 'server' / 'data' / 'ironlog.db'}"
    env = {"IRONLOG_LOG_LEVEL": "DEBUG"}
    with (
        live_server(tmp_path / "server", database_url, env=env) as server,
        httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT) as client,
    ):
        body = {"email": email, "password": password, "name": "Ada"}
        registered = client.post("/api/v1/auth/register", json=body).json()
        user_id, tokens = registered["user"]["id"], registered["tokens"]
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        wrong = {"email": email, "password": wrong_password}
        assert client.post("/api/v1/auth/login", json=wrong).status_code == 401
        form = {"username": email, "password": password}
        assert client.post("/api/v1/auth/login", data=form).status_code == 200
        me = client.get("/api/v1/users/me", headers={**bearer, "X-Request-ID": "trace-42"})
        missing = client.get(f"/api/v1/workouts/{uuid.uuid4()}", headers=bearer)
        refreshed = client.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        ).json()
        change = {"current_password": password, "new_password": new_password}
        assert client.post("/api/v1/users/me/password", json=change, headers=bearer).is_success
    log = server.log_text()

    assert me.headers["x-request-id"] == "trace-42"
    lines = _request_lines(log)
    [me_line] = [line for line in lines if line["request_id"] == "trace-42"]
    assert me_line["method"] == "GET"
    assert me_line["path"] == me_line["route"] == "/api/v1/users/me"
    assert me_line["status"] == 200
    assert me_line["user_id"] == user_id
    assert isinstance(me_line["duration_ms"], float)
    assert me_line["level"] == "info"
    assert me_line["timestamp"].endswith("Z")
    [missing_line] = [
        line for line in lines if line["request_id"] == missing.headers["x-request-id"]
    ]
    assert missing_line["route"] == "/api/v1/workouts/{workout_id}"
    assert (missing_line["status"], missing_line["user_id"]) == (404, user_id)
    [register_line] = [line for line in lines if line["path"] == "/api/v1/auth/register"]
    assert "user_id" not in register_line
    assert len({line["request_id"] for line in lines}) == len(lines)

    secret_values = [
        password,
        new_password,
        wrong_password,
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
    ]
    for value in secret_values:
        assert value not in log
    assert "bearer " not in log.lower()
    assert "authorization" not in log.lower()
