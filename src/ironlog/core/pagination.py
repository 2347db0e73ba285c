"""Page-number pagination: `?page=1&size=20`, answered with a `Page[T]`."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


async def page_request(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number.")] = 1,
    size: Annotated[int, Query(ge=1, le=100, description="Items per page.")] = 20,
) -> PageRequest:
    return PageRequest(page=page, size=size)


PageParams = Annotated[PageRequest, Depends(page_request)]


T = TypeVar("T")


def _page_example(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """`Page[X]`'s example: one item, X's own example."""
    args = model.__pydantic_generic_metadata__["args"]
    extra = args[0].model_config.get("json_schema_extra") if args else None
    if isinstance(extra, dict) and "example" in extra:
        example = {"items": [extra["example"]], "total": 1, "page": 1, "size": 20, "pages": 1}
        schema["example"] = example


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(json_schema_extra=_page_example)

    items: list[T]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    size: int = Field(ge=1)
    pages: int = Field(ge=0, description="Number of pages; 0 when there are no items.")

    @classmethod
    def build(cls, items: list[T], total: int, request: PageRequest) -> "Page[T]":
        return cls(
            items=items,
            total=total,
            page=request.page,
            size=request.size,
            pages=math.ceil(total / request.size),
        )


def page_dict(items: Sequence[object], total: int, request: PageRequest) -> dict[str, object]:
    """The same shape as `Page`, for read paths that serialise without Pydantic."""
    return {
        "items": items,
        "total": total,
        "page": request.page,
        "size": request.size,
        "pages": math.ceil(total / request.size),
    }
