"""The OpenAPI document is good enough to build an app from: every operation, checked."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from ironlog.auth.dependencies import (
    get_claimed_read,
    get_creator,
    get_optional_principal,
    get_principal,
    get_public_read,
)
from ironlog.main import create_app
from tests.conftest import make_settings

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
PROBES = {"/health", "/ready"}
BEARER = {"OAuth2PasswordBearer": []}
NO_CONTENT = {"204", "302", "303", "304"}

Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("openapi")
    return create_app(make_settings(f"sqlite:///{folder / 'x.db'}", folder))


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def has_example(document: dict[str, Any], media: dict[str, Any]) -> bool:
    """An example on the media type, or on its schema (through references and arrays)."""
    if "example" in media or "examples" in media:
        return True
    schema = resolve(document, media.get("schema", {}))
    if "example" in schema or "examples" in schema:
        return True
    if schema.get("type") == "array":
        return has_example(document, {"schema": schema.get("items", {})})
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    return bool(options) and all(has_example(document, {"schema": item}) for item in options)


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def routes_by_operation(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    found = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema and context.path:
            # OpenAPI paths drop path convertors: `{exercise_id:id}` is `{exercise_id}` there.
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", context.path)
            for method in route.methods:
                found[(path, method.lower())] = route
    return found


def test_every_operation_has_a_summary_a_description_and_a_described_tag(
    document: dict[str, Any],
) -> None:
    tags = {tag["name"]: tag.get("description") for tag in document["tags"]}
    assert all(tags.values()), tags
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert operation.get("tags"), where
        assert set(operation["tags"]) <= set(tags), where


def test_operation_ids_are_the_route_names(app: FastAPI, document: dict[str, Any]) -> None:
    routes = routes_by_operation(app)
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for path, method, operation in operations(document):
        assert operation["operationId"] == routes[(path, method)].name


def test_every_success_response_has_a_schema_and_an_example(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        successes = {code: r for code, r in operation["responses"].items() if code[0] in "23"}
        assert any(code.startswith("2") or code == "302" for code in successes), where
        for code, response in successes.items():
            if code in NO_CONTENT:
                assert not response.get("content"), f"{where} {code}"
                continue
            assert response.get("content"), f"{where} {code}"
            for media_type, media in response["content"].items():
                assert media.get("schema"), f"{where} {code} {media_type}"
                assert has_example(document, media), f"{where} {code} {media_type}"


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    bodies = 0
    for path, method, operation in operations(document):
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            bodies += 1
            assert has_example(document, media), f"{method.upper()} {path} {media_type}"
    assert bodies > 20


def test_errors_are_documented_as_problem_details(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
        if path not in PROBES:
            assert any(code.startswith("4") for code in errors), where
        for code, response in errors.items():
            assert list(response.get("content", {})) == [PROBLEM], f"{where} {code}"
            media = response["content"][PROBLEM]
            assert media["schema"] == PROBLEM_SCHEMA, f"{where} {code}"
            assert media["examples"], f"{where} {code}"
            for example in media["examples"].values():
                assert example["value"]["status"] == int(code), f"{where} {code}"
                assert f"`{example['value']['code']}`" in response["description"]


def test_bodies_document_their_generic_errors(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        if not content:
            continue
        expected = {"413"} | ({"400", "415"} if "application/json" in content else set())
        assert expected <= set(operation["responses"]), f"{method.upper()} {path}"
    login = document["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert set(login["400"]["content"][PROBLEM]["examples"]) == {"malformed_request"}


def test_security_matches_what_each_route_requires(app: FastAPI, document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/login"
    routes = routes_by_operation(app)
    kinds = {"protected": 0, "optional": 0, "public": 0}
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        calls = set(_calls(routes[(path, method)].dependant))
        # The unchecked claims of a read or a create are checked by the route's statement.
        if calls & {get_principal, get_claimed_read, get_creator}:
            kinds["protected"] += 1
            assert operation.get("security") == [BEARER], where
            assert "401" in operation["responses"], where
        elif calls & {get_optional_principal, get_public_read}:
            kinds["optional"] += 1  # a token shows more; a bad one is still a 401
            assert operation.get("security") == [BEARER, {}], where
            assert "401" in operation["responses"], where
        else:
            kinds["public"] += 1
            assert "security" not in operation, where
    assert all(kinds.values()), kinds
    # The exercise library shows a signed-in caller their own exercises too.
    for path in ("/api/v1/exercises", "/api/v1/exercises/body-parts"):
        assert document["paths"][path]["get"]["security"] == [BEARER, {}], path


def test_document_is_written_once(app: FastAPI, tmp_path: Path) -> None:
    assert app.openapi() is app.openapi()
