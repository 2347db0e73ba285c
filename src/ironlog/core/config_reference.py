"""The configuration reference, rendered from the `Settings` fields so that it cannot drift.

`ironlog config --markdown` prints it; the README holds a copy between marker comments, which a
test compares with this output.
"""

import json
import re
import types
from enum import Enum
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ironlog.core.config import Settings

ENV_PREFIX = "IRONLOG_"
README_BEGIN = "<!-- BEGIN ironlog config --markdown -->"
README_END = "<!-- END ironlog config --markdown -->"


def env_name(field_name: str) -> str:
    return ENV_PREFIX + field_name.upper()


def markdown_table() -> str:
    """Every setting as a Markdown table: variable, type, default, meaning."""
    lines = ["| Variable | Type | Default | Meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        cells = (
            f"`{env_name(name)}`",
            _type_text(field),
            _default_text(field),
            _description(field),
        )
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _description(field: FieldInfo) -> str:
    if not field.description:
        raise ValueError("every setting needs a description")
    return field.description


def _type_text(field: FieldInfo) -> str:
    text = _annotation_text(field.annotation)
    bounds = _bounds(field)
    return f"{text}, {bounds}" if bounds else text


def _annotation_text(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{value}`" for value in get_args(annotation))
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        return " or ".join(_annotation_text(arg) for arg in options)
    if origin is list:
        return "comma-separated list"
    names: dict[Any, str] = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        Path: "path",
        SecretStr: "secret string",
    }
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(f"`{member.value}`" for member in annotation)
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _bounds(field: FieldInfo) -> str:
    parts = []
    for item in field.metadata:
        if isinstance(item, Ge):
            parts.append(f">= {item.ge}")
        elif isinstance(item, Gt):
            parts.append(f"> {item.gt}")
        elif isinstance(item, Le):
            parts.append(f"<= {item.le}")
        elif isinstance(item, Lt):
            parts.append(f"< {item.lt}")
    return ", ".join(parts)


def _default_text(field: FieldInfo) -> str:
    extra = field.json_schema_extra
    if isinstance(extra, dict) and "default_doc" in extra:
        return str(extra["default_doc"])
    if field.default_factory is not None:
        default: Any = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "required"
    else:
        default = field.default
    if default is None:
        return "unset"
    if isinstance(default, list):
        return ", ".join(f"`{item}`" for item in default) if default else "empty"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, Enum):
        default = default.value
    return f"`{default}`"


MASK = "**********"
# The password of `scheme://user:password@host` and secret query parameters (`?password=...`).
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)[^@/?#\s]*(?=@)", re.I)
_SECRET_PARAMETER = re.compile(
    r"(?P<head>[?&](?:password|passwd|pwd|secret|token|key|api_key|access_token)=)[^&#\s]*", re.I
)


def mask_secrets(text: str) -> str:
    """`text` with the passwords of the URLs in it (and secret query parameters) replaced by
    `***`: `postgresql://user:pass@host/db` becomes `postgresql://user:***@host/db`."""
    text = _URL_PASSWORD.sub(r"\g<head>***", text)
    return _SECRET_PARAMETER.sub(r"\g<head>***", text)


def current_values(settings: Settings) -> list[str]:
    """`IRONLOG_NAME=value` for every setting as this process uses it, secrets masked (also the
    passwords inside URLs); a computed default shows what it resolves to, after a `#`."""
    lines = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        note = ""
        if name == "secret_key" and value is None:
            key_file = settings.secret_key_file
            if key_file.exists():
                value, note = MASK, f"generated, stored in {key_file}"
            else:
                note = f"unset: `ironlog serve` generates it into {key_file}"
        elif name == "database_url" and value is None:
            value, note = settings.database_url_in_use, "default: SQLite in the data folder"
        lines.append(f"{env_name(name)}={_value_text(value)}" + (f"  # {note}" if note else ""))
    return lines


def _value_text(value: object) -> str:
    if isinstance(value, SecretStr):
        return MASK
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(mask_secrets(str(item)) for item in value)
    if isinstance(value, bool):
        return str(value).lower()
    return mask_secrets(str(value))


def settings_problems(error: ValidationError) -> list[str]:
    """One line per problem of a `Settings` validation error, naming the environment variable:
    `IRONLOG_ACCESS_TOKEN_TTL_SECONDS: must be an integer >= 60 and <= 86400, got "abc"`."""
    problems = []
    for item in error.errors(include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        field = Settings.model_fields.get(str(item["loc"][0])) if item["loc"] else None
        if field is None:  # a rule over several settings: its message names them
            problems.append(message)
            continue
        name = env_name(str(item["loc"][0]))
        expected = _expected_text(field)
        if _is_secret(field):  # never echo a secret, even a rejected one
            problems.append(f"{name}: must be {expected} ({message})")
        else:
            got = json.dumps(item["input"], default=str, ensure_ascii=False)
            problems.append(f"{name}: must be {expected}, got {got}")
    return problems


def _expected_text(field: FieldInfo) -> str:
    text = _annotation_text(field.annotation).replace("`", "")
    article = {"integer": "an integer", "number": "a number", "string": "a string"}
    text = " or ".join(article.get(part, part) for part in text.split(" or "))
    text = text.replace("boolean", "true or false").replace("path", "a path")
    text = text.replace("secret string", "a string")
    text = text.replace("comma-separated list", "a comma-separated list")
    bounds = _bounds(field)
    return f"{text} {bounds.replace(', ', ' and ')}" if bounds else text


def _is_secret(field: FieldInfo) -> bool:
    return SecretStr in (field.annotation, *get_args(field.annotation))


def readme_section(readme: str) -> str:
    """The text of the README between the configuration markers."""
    start = readme.index(README_BEGIN) + len(README_BEGIN)
    return readme[start : readme.index(README_END)].strip("\n") + "\n"
