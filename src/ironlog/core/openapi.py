"""The OpenAPI document, completed so that a typed client can be generated from it.

Routers document their own errors with `problem_responses(...)`; this module adds what holds for
every route of a kind, and fixes what FastAPI writes in a way clients misread:

* Operation ids are the route functions' names (`create_workout`), which become the function
  names of generated clients (FastAPI's default appends the path and method).
* Error responses are `application/problem+json` with the `Problem` schema. FastAPI puts a
  response `model` under `application/json`, which IronLog never sends for an error.
* Every route with a body can answer 413 `payload_too_large`; those with a JSON body also 400
  `malformed_request` and 415 `unsupported_media_type`.
* Models that routes document by hand (`openapi_extra`) are components, referenced by name, so
  that clients name them as the API does (`component(...)`).
"""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from ironlog.core.errors import (
    PROBLEM_MEDIA_TYPE,
    BadRequest,
    DomainError,
    PayloadTooLarge,
    UnsupportedMediaType,
    problem_responses,
)

PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
_JSON = "application/json"
_BODY_ERRORS = (PayloadTooLarge,)
_JSON_BODY_ERRORS = (BadRequest, PayloadTooLarge, UnsupportedMediaType)
_REF_TEMPLATE = "#/components/schemas/{model}"
_components: dict[str, type[BaseModel]] = {}


def component(model: type[BaseModel]) -> dict[str, str]:
    """A reference to `model`'s schema, added to the document's components, for `openapi_extra`
    bodies that FastAPI does not derive from a parameter."""
    _components[model.__name__] = model
    return {"$ref": _REF_TEMPLATE.format(model=model.__name__)}


def operation_id(route: APIRoute) -> str:
    """The route function's name: `create_workout`, not `create_workout_api_v1_workouts_post`."""
    return route.name


DocumentHook = Callable[[FastAPI, dict[str, Any]], None]


def install(app: FastAPI, hooks: Sequence[DocumentHook] = ()) -> None:
    """Serve the completed document; `hooks` add what domains know (auth: security)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = complete(generate())
            for hook in hooks:
                hook(app, document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, model in _components.items():
        schema = model.model_json_schema(ref_template=_REF_TEMPLATE)
        schemas.update(schema.pop("$defs", {}))
        schemas.setdefault(name, schema)
    for item in document.get("paths", {}).values():
        for operation in item.values():
            _add_body_errors(operation)
            for response in operation.get("responses", {}).values():
                _problem_schema(response)
    return document


def _add_body_errors(operation: dict[str, Any]) -> None:
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return
    errors: tuple[type[DomainError], ...] = _JSON_BODY_ERRORS if _JSON in content else _BODY_ERRORS
    responses = operation.setdefault("responses", {})
    for status, response in problem_responses(*errors).items():
        response.pop("model")
        existing = responses.setdefault(str(status), response)
        if existing is response:
            continue
        problem = existing.setdefault("content", {}).setdefault(PROBLEM_MEDIA_TYPE, {})
        examples = problem.setdefault("examples", {})
        for code, example in response["content"][PROBLEM_MEDIA_TYPE]["examples"].items():
            if code not in examples:
                examples[code] = example
                existing["description"] = f"{existing.get('description', '')}, `{code}`".lstrip(
                    ", "
                )


def _problem_schema(response: dict[str, Any]) -> None:
    content = response.get("content", {})
    if PROBLEM_MEDIA_TYPE not in content:
        return
    content[PROBLEM_MEDIA_TYPE]["schema"] = PROBLEM_SCHEMA
    if content.get(_JSON, {}).get("schema") == PROBLEM_SCHEMA:
        del content[_JSON]
