"""Page-number pagination: `?page=1&size=20`, answered with a `Page[T]`."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field


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


class Page(BaseModel, Generic[T]):
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
