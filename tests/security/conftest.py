"""Fixtures of the security tests (docs/security.md maps them to the OWASP API Top 10)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from ironlog.main import create_app
from tests.conftest import make_settings

METHODS = ("get", "post", "put", "patch", "delete")


def offline_app(tmp_path: Path, **overrides: Any) -> FastAPI:
    """An app that is never asked anything the database must answer (OpenAPI, CORS, limits)."""
    return create_app(make_settings(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path, **overrides))


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    document: dict[str, Any] = offline_app(tmp_path_factory.mktemp("openapi")).openapi()
    return document


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def object_schemas(document: dict[str, Any], schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every object schema reachable from `schema` (properties, items, anyOf/oneOf/allOf)."""
    seen: set[int] = set()
    pending = [schema]
    while pending:
        current = resolve(document, pending.pop())
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.get("type") == "object":
            yield current
        pending.extend(current.get("properties", {}).values())
        for key in ("items", "additionalProperties"):
            if isinstance(current.get(key), dict):
                pending.append(current[key])
        for key in ("anyOf", "oneOf", "allOf"):
            pending.extend(current.get(key, []))


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation
