"""`core.routing.include_flat`: the API's routes are the application's own, and a router added
flat serves and documents exactly what `include_router` would have."""

from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, Request, status
from fastapi.routing import APIRoute
from pydantic import BaseModel

from ironlog.core import openapi
from ironlog.core.errors import NotFound, Unprocessable, problem_responses
from ironlog.core.routing import UnitOfWorkRoute, api_router, include_flat
from ironlog.main import API_PREFIX, create_app
from tests.conftest import make_settings


class Item(BaseModel):
    name: str


async def item_count(x_count: Annotated[int, Header()] = 1) -> int:
    return x_count


def sample_router() -> Any:
    """A router using what IronLog's routers use: tags, router and route responses, a body,
    a response model, a status code, a dependency, a deprecated route, a hidden one (plain
    routes: the unit of work needs a database)."""
    router = APIRouter(prefix="/items", tags=["items"], responses=problem_responses(NotFound))

    @router.get("/{item_id:id}", response_model=Item, summary="Get an item")
    async def get_item(item_id: str, count: Annotated[int, Depends(item_count)]) -> Item:
        """An item, by id."""
        return Item(name=item_id * count)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=Item, deprecated=True)
    async def create_item(item: Item, request: Request) -> Item:
        return item

    @router.delete("/{item_id:id}", status_code=204, include_in_schema=False)
    async def delete_item(item_id: str) -> None:
        return None

    return router


def app_with(include: str) -> FastAPI:
    app = FastAPI(generate_unique_id_function=openapi.operation_id)
    responses = problem_responses(Unprocessable)
    if include == "flat":
        include_flat(app, sample_router(), prefix="/api", responses=responses)
    else:
        app.include_router(sample_router(), prefix="/api", responses=responses)
    return app


def test_a_flat_router_is_documented_as_an_included_one() -> None:
    assert app_with("flat").openapi() == app_with("included").openapi()


@pytest.mark.parametrize("include", ["flat", "included"])
async def test_a_flat_router_serves_as_an_included_one(include: str) -> None:
    app = app_with(include)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        got = await client.get("/api/items/ab", headers={"X-Count": "2"})
        created = await client.post("/api/items", json={"name": "x"})
        invalid = await client.post("/api/items", json={})
        deleted = await client.delete("/api/items/ab")
        wrong_method = await client.put("/api/items/ab")
    assert (got.status_code, got.json()) == (200, {"name": "abab"})
    assert (created.status_code, created.json()) == (201, {"name": "x"})
    assert invalid.status_code == 422
    assert deleted.status_code == 204
    assert wrong_method.status_code == 405


def test_nested_routers_are_refused() -> None:
    outer, inner = api_router(prefix="/outer"), api_router(prefix="/inner")

    @inner.get("")
    async def nothing() -> None:
        return None

    outer.include_router(inner)
    with pytest.raises(TypeError, match="API routes only"):
        include_flat(FastAPI(), outer)


def test_every_api_route_is_the_applications_own(tmp_path: Any) -> None:
    """A domain router included with `include_router` would make every request under it walk
    a branch (and be matched twice): the API's routes are all plain routes of the app, and
    still run in the unit of work."""
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))
    api_routes = [
        route
        for route in app.router.routes
        if isinstance(route, APIRoute) and route.path.startswith(API_PREFIX)
    ]
    documented = {path for path in app.openapi()["paths"] if path.startswith(API_PREFIX)}
    assert documented
    assert all(type(route) is UnitOfWorkRoute for route in api_routes)
    assert documented == {route.path_format for route in api_routes if route.include_in_schema}
