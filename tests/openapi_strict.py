"""Served bodies checked against the OpenAPI document, strictly: every object schema that
declares properties refuses unknown keys (`additionalProperties: false` added here, in the test
only), so a misspelt, extra or missing key in a response fails the test that received it."""

import copy
import re
from functools import cached_property
from typing import Any

import httpx
import jsonschema_rs
import orjson


def _forbid_unknown_keys(schema: Any) -> None:
    if isinstance(schema, dict):
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        for value in schema.values():
            _forbid_unknown_keys(value)
    elif isinstance(schema, list):
        for value in schema:
            _forbid_unknown_keys(value)


class StrictOpenAPI:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = copy.deepcopy(document)
        _forbid_unknown_keys(self.document["components"])
        self._validators: dict[tuple[str, str, str, str], Any] = {}

    @cached_property
    def _templates(self) -> list[tuple[re.Pattern[str], str]]:
        """Path templates as patterns, literal segments first (`.../order` before `.../{id}`)."""
        templates = sorted(self.document["paths"], key=lambda path: path.count("{"))
        return [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
            for path in templates
        ]

    def template(self, path: str) -> str | None:
        for pattern, template in self._templates:
            if pattern.match(path):
                return template
        return None

    def check(self, method: str, path: str, status: int, content_type: str, body: bytes) -> None:
        """Fail unless the body is what the document says this operation answers. A path no
        route serves (a 404 of the router) and a server fault (5xx: tests that break the
        database on purpose) are not operations of the document."""
        template = self.template(path)
        if template is None or status >= 500:
            return
        operation = self.document["paths"][template][method.lower()]
        responses = operation["responses"]
        assert str(status) in responses, f"{method} {template} answered an undocumented {status}"
        media = content_type.split(";", maxsplit=1)[0].strip()
        content = responses[str(status)].get("content", {})
        if not body:
            return
        assert media in content, f"{method} {template} {status}: undocumented {media}"
        key = (method, template, str(status), media)
        validator = self._validators.get(key)
        if validator is None:
            schema = {**content[media]["schema"], "components": self.document["components"]}
            validator = self._validators[key] = jsonschema_rs.Draft202012Validator(schema)
        errors = [str(error) for error in validator.iter_errors(orjson.loads(body))]
        assert not errors, f"{method} {path} {status}: {errors[:3]}"


def hook(openapi: StrictOpenAPI, prefix: str) -> Any:
    """An httpx response hook that checks every JSON body served under `prefix`."""

    async def check(response: httpx.Response) -> None:
        request = response.request
        if not request.url.path.startswith(prefix):
            return
        body = await response.aread()
        openapi.check(
            request.method,
            request.url.path,
            response.status_code,
            response.headers.get("content-type", ""),
            body,
        )

    return check
