"""The configuration reference, rendered from the `Settings` fields so that it cannot drift.

`ironlog config --markdown` prints it; the README holds a copy between marker comments, which a
test compares with this output.
"""

import types
from enum import Enum
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import SecretStr
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


def current_values(settings: Settings) -> list[str]:
    """`IRONLOG_NAME=value` for every setting as this process sees it; secrets hidden."""
    lines = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            text = "**********"
        elif value is None:
            text = ""
        elif isinstance(value, list):
            text = ",".join(value)
        elif isinstance(value, bool):
            text = str(value).lower()
        else:
            text = str(value)
        lines.append(f"{env_name(name)}={text}")
    return lines


def readme_section(readme: str) -> str:
    """The text of the README between the configuration markers."""
    start = readme.index(README_BEGIN) + len(README_BEGIN)
    return readme[start : readme.index(README_END)].strip("\n") + "\n"
