"""The security requirements of the OpenAPI document, derived from each route's dependencies.

A route that depends on `get_principal` (or on the unchecked claims of `get_claimed_read`
and `get_creator`, whose session is checked by the route's own statement) needs a bearer token;
one that depends on `get_optional_principal` or `get_public_read` takes one optionally (`{}` in
the list means "or none"). The token is read without a FastAPI security dependency (see
`dependencies.bearer_scheme`), so FastAPI does not write these requirements itself.
"""

import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from ironlog.auth.dependencies import (
    bearer_scheme,
    get_claimed_read,
    get_creator,
    get_optional_principal,
    get_principal,
    get_public_read,
)

SCHEME_NAME = "OAuth2PasswordBearer"
REQUIRED: list[dict[str, list[str]]] = [{SCHEME_NAME: []}]
OPTIONAL: list[dict[str, list[str]]] = [{SCHEME_NAME: []}, {}]


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def document_security(app: FastAPI, document: dict[str, Any]) -> None:
    """Declare the bearer scheme and put each route's requirement on its operation."""
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {})[SCHEME_NAME] = bearer_scheme.model.model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    paths = document.get("paths", {})
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema or not context.path:
            continue
        calls = set(_calls(route.dependant))
        if calls & {get_principal, get_claimed_read, get_creator}:
            requirement = REQUIRED
        elif calls & {get_optional_principal, get_public_read}:
            requirement = OPTIONAL
        else:
            continue
        path = _openapi_path(context.path)
        for method in route.methods or ():
            operation = paths.get(path, {}).get(method.lower())
            if operation is not None:
                operation["security"] = requirement


def _openapi_path(path: str) -> str:
    """`/exercises/{exercise_id:id}` is `/exercises/{exercise_id}` in the document."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)
