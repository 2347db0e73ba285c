"""OWASP API4 (unrestricted resource consumption) and API8 (security misconfiguration): body
limits, CORS allowlist, security headers on every response, methods and inputs refused cleanly."""

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ironlog.core.routing import RESERVED_SEGMENTS
from tests.conftest import UserHandle
from tests.security.conftest import offline_app, operations, resolve

MIB = 1024 * 1024
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
}


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


# Bodies.


def _chunks(total: int, head: bytes = b"") -> Any:
    async def chunks() -> Any:  # no Content-Length: the body is counted as it arrives
        yield head
        for _ in range(total // (256 * 1024) + 1):
            yield b"x" * (256 * 1024)

    return chunks()


@pytest.mark.parametrize(
    ("url", "limit"), [("/api/v1/workouts", MIB), ("/api/v1/imports", 20 * MIB)]
)
async def test_a_declared_body_over_the_limit_is_413_before_anything_else(
    tmp_path: Path, url: str, limit: int
) -> None:
    async with _client(offline_app(tmp_path)) as client:
        response = await client.post(url, content=b"x" * (limit + 1))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_a_chunked_body_over_the_limit_is_413(tmp_path: Path) -> None:
    async with _client(offline_app(tmp_path)) as client:
        response = await client.post(
            "/api/v1/workouts", content=_chunks(MIB), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413


async def test_a_chunked_upload_over_20_mib_is_413(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(
        "/api/v1/imports",
        content=_chunks(
            20 * MIB,
            b'--x\r\ncontent-disposition: form-data; name="file"; filename="a.csv"\r\n\r\n',
        ),
        headers={**user.headers, "content-type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 413


async def test_a_body_at_the_limit_is_read(client: httpx.AsyncClient, user: UserHandle) -> None:
    notes = "x" * 2000
    body = b'{"name": "Big", "notes": "' + notes.encode() + b'", "pad": "'
    body += b" " * (MIB - len(body) - 2) + b'"}'
    assert len(body) == MIB
    response = await client.post(
        "/api/v1/workouts",
        content=body,
        headers={**user.headers, "content-type": "application/json"},
    )
    assert response.status_code == 422  # read and validated (the pad is an unknown field)
    assert response.json()["errors"][0]["loc"] == ["body", "pad"]


# CORS.


async def test_cors_answers_allowed_origins_only(tmp_path: Path) -> None:
    app = offline_app(tmp_path, cors_origins=["https://app.example.com"])
    preflight = {"access-control-request-method": "POST"}
    async with _client(app) as client:
        allowed = await client.options(
            "/api/v1/workouts", headers={"origin": "https://app.example.com", **preflight}
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
        assert "access-control-allow-credentials" not in allowed.headers
        other = await client.options(
            "/api/v1/workouts", headers={"origin": "https://evil.example.com", **preflight}
        )
        assert "access-control-allow-origin" not in other.headers
        simple = await client.get("/health", headers={"origin": "https://app.example.com"})
        assert simple.headers["access-control-allow-origin"] == "https://app.example.com"
        refused = await client.get("/health", headers={"origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in refused.headers


async def test_without_origins_no_cross_origin_request_is_allowed(tmp_path: Path) -> None:
    async with _client(offline_app(tmp_path)) as client:
        response = await client.get("/health", headers={"origin": "https://app.example.com"})
        assert "access-control-allow-origin" not in response.headers


# Security headers.


async def test_every_kind_of_response_has_the_security_headers(tmp_path: Path) -> None:
    app = offline_app(tmp_path)

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    async with _client(app) as client:
        responses = {
            200: await client.get("/health"),
            401: await client.get("/api/v1/users/me"),
            404: await client.get("/api/v1/nowhere"),
            405: await client.delete("/health"),
            413: await client.post("/api/v1/workouts", content=b"x" * (MIB + 1)),
            415: await client.post("/api/v1/auth/register", content=b"x"),
            422: await client.get("/api/v1/exercises", params={"size": 0}),
            500: await client.get("/boom"),
        }
    for status, response in responses.items():
        assert response.status_code == status
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (status, name)
        assert "default-src 'none'" in response.headers["content-security-policy"]
    assert responses[500].json()["code"] == "internal_error"
    assert "a bug" not in responses[500].text


# Methods.


async def test_405_lists_every_method_of_the_path(tmp_path: Path) -> None:
    async with _client(offline_app(tmp_path)) as client:
        item = await client.options("/api/v1/exercises/0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e")
        collection = await client.request("OPTIONS", "/api/v1/workouts")
        reserved = await client.put("/api/v1/exercises/body-parts", json={})
        order = await client.patch(
            "/api/v1/workouts/0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e/exercises/order", json={}
        )
    assert item.status_code == 405
    assert item.headers["allow"] == "DELETE, GET, PATCH, PUT"
    assert collection.headers["allow"] == "GET, POST"
    assert (reserved.status_code, reserved.headers["allow"]) == (405, "GET")
    assert (order.status_code, order.headers["allow"]) == (405, "PUT")
    assert order.json()["code"] == "method_not_allowed"


def test_reserved_segments_are_every_literal_beside_an_id(openapi: dict[str, Any]) -> None:
    """A literal segment at the place of an `{id}` in a sibling path must be reserved, or a
    request to it would be taken for a malformed id."""
    paths = [path.split("/") for path in openapi["paths"]]
    needed = set()
    for literal_path in paths:
        for param_path in paths:
            if len(literal_path) != len(param_path):
                continue
            pairs = list(zip(literal_path, param_path, strict=True))
            differing = [(a, b) for a, b in pairs if a != b]
            if (
                len(differing) == 1
                and not differing[0][0].startswith("{")
                and differing[0][1].startswith("{")
            ):
                needed.add(differing[0][0])
    assert needed <= set(RESERVED_SEGMENTS)


# NUL characters (PostgreSQL refuses them in text: a 500 if they got through).


def _string_fields(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    schema = resolve(document, schema)
    fields = []
    for name, field in schema.get("properties", {}).items():
        variants = [resolve(document, v) for v in field.get("anyOf", [field])]
        if any(v.get("type") == "string" and not {"format", "enum"} & set(v) for v in variants):
            fields.append(name)
    return fields


def test_every_string_input_refuses_nul_in_the_openapi_document(openapi: dict[str, Any]) -> None:
    checked = 0
    for method, path, operation in operations(openapi):
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            variants = schema.get("anyOf", [schema])
            for variant in variants:
                if variant.get("type") == "string" and "format" not in variant:
                    if "enum" in variant or "const" in variant or parameter["in"] == "header":
                        continue
                    assert variant.get("pattern") == "^[^\\x00]*$", (method, path, parameter)
                    checked += 1
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            schema = resolve(openapi, body["schema"])
            for name in _string_fields(openapi, schema):
                prop = schema["properties"][name]
                variants = [resolve(openapi, v) for v in prop.get("anyOf", [prop])]
                strings = [v for v in variants if v.get("type") == "string" and "enum" not in v]
                assert all(v.get("pattern") == "^[^\\x00]*$" for v in strings), (path, name)
                checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/auth/login", {"email": "a\x00@example.com", "password": "x"}),
        ("post", "/api/v1/auth/register", {"email": "a@example.com", "password": "p\x00ssword1"}),
        ("post", "/api/v1/auth/refresh", {"refresh_token": "\x00"}),
        ("post", "/api/v1/workouts", {"name": "Push\x00"}),
        ("post", "/api/v1/workouts", {"name": "Push", "notes": "\x00"}),
        ("patch", "/api/v1/users/me", {"name": "A\x00"}),
        (
            "post",
            "/api/v1/users/me/password",
            {"current_password": "\x00", "new_password": "x" * 9},
        ),
    ],
)
async def test_nul_in_a_body_string_is_422(
    client: httpx.AsyncClient, user: UserHandle, method: str, url: str, body: dict[str, Any]
) -> None:
    response = await client.request(method, url, json=body, headers=user.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/workouts", {"q": "a\x00b"}),
        ("/api/v1/exercises", {"q": "\x00"}),
        ("/api/v1/exercises", {"body_part": "\x00"}),
        ("/api/v1/auth/google/callback", {"state": "\x00", "code": "\x00"}),
    ],
)
async def test_nul_in_a_query_parameter_is_422(
    client: httpx.AsyncClient, user: UserHandle, url: str, params: dict[str, str]
) -> None:
    response = await client.get(url, params=params, headers=user.headers)
    assert response.status_code in {404, 422}, response.text  # 404: Google is not configured
    if response.status_code == 422:
        assert response.json()["code"] == "validation_error"


async def test_huge_numbers_in_query_parameters_are_422(client: httpx.AsyncClient) -> None:
    for params in ({"page": 10**30}, {"size": -(10**30)}, {"page": "1e400"}):
        response = await client.get("/api/v1/exercises", params=params)
        assert response.status_code == 422, params


async def test_dates_must_be_plain_iso_dates(client: httpx.AsyncClient, user: UserHandle) -> None:
    for url in ("/api/v1/workouts", "/api/v1/users/me/stats", "/api/v1/users/me/records"):
        for value in ("0", "1700000000", "2026-01-01T00:00:00"):
            response = await client.get(url, params={"to": value}, headers=user.headers)
            assert response.status_code == 422, (url, value)
