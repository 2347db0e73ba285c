"""The web app and the docs pages as served: every asset from the package, strict CSP, caching
and compression, the service worker's precache list, the vendored files' checksums."""

import gzip
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ironlog.web.assets import bundle
from tests.security.conftest import offline_app

ROOT = Path(__file__).resolve().parents[2]
BUDGET_BYTES = 150 * 1024


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return offline_app(tmp_path_factory.mktemp("web"))


@pytest.fixture
async def client(web_app: FastAPI) -> Any:
    transport = httpx.ASGITransport(app=web_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def csp(response: httpx.Response) -> dict[str, list[str]]:
    directives = [part.split() for part in response.headers["content-security-policy"].split(";")]
    return {name: values for name, *values in directives}


def scripts_and_links(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("path", ["/", "/docs", "/docs/oauth2-redirect", "/redoc"])
async def test_pages_allow_only_their_own_origin(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    header = response.headers["content-security-policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", ["/", "/docs", "/docs/oauth2-redirect", "/redoc"])
async def test_pages_have_no_inline_script_or_style_and_load_only_local_files(
    client: httpx.AsyncClient, path: str
) -> None:
    html = (await client.get(path)).text
    for script in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S):
        assert script.strip() == ""  # every script is a file
    assert "<style" not in html and "style=" not in html
    for url in scripts_and_links(html):
        assert url.startswith("/"), url  # no CDN, no other origin
        assert (await client.get(url)).status_code == 200, url


async def test_the_api_keeps_its_own_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )


async def test_assets_are_versioned_immutable_and_gzipped(client: httpx.AsyncClient) -> None:
    build = bundle().build
    plain = await client.get(
        f"/static/{build}/app/main.js", headers={"accept-encoding": "identity"}
    )
    zipped = await client.get(f"/static/{build}/app/main.js", headers={"accept-encoding": "gzip"})
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert plain.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes it
    assert plain.content == (ROOT / "src/ironlog/web/static/app/main.js").read_bytes()


async def test_an_older_builds_url_is_served_but_not_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/0123456789ab/app.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


async def test_an_unknown_asset_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/static/{bundle().build}/app/nothing.js")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_the_service_worker_precaches_the_shell_and_every_app_file(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/sw.js")
    assert response.headers["cache-control"] == "no-cache"
    listed = re.search(r"const PRECACHE = (\[.*?\]);", response.text, re.S)
    assert listed
    precache = set(json.loads(listed.group(1)))
    files = bundle()
    expected = {"/", *(files.url(path) for path in files.app_files())}
    assert precache == expected
    assert files.url("app/screens/logger.js") in precache
    assert not any("swagger" in url or "redoc" in url for url in precache)


async def test_the_manifest_names_the_app_and_its_icons(client: httpx.AsyncClient) -> None:
    manifest = (await client.get("/manifest.webmanifest")).json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"any", "192x192", "512x512"}
    for icon in manifest["icons"]:
        answer = await client.get(icon["src"])
        assert answer.status_code == 200 and answer.headers["content-type"] == icon["type"]


async def test_head_of_the_app_answers(client: httpx.AsyncClient) -> None:
    response = await client.head("/")
    assert response.status_code == 200


def test_the_app_fits_its_compressed_budget() -> None:
    files = bundle()
    sizes = {
        path: len(gzip.compress(files.files[path].body, 9))
        for path in files.app_files()
        if path.endswith((".js", ".mjs", ".css"))
    }
    assert sum(sizes.values()) < BUDGET_BYTES, sorted(sizes.items(), key=lambda item: -item[1])[:5]


def test_vendored_files_match_their_manifest() -> None:
    spec = importlib.util.spec_from_file_location(
        "vendor_assets", ROOT / "scripts/vendor_assets.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    manifest = module.json.loads(module.MANIFEST.read_text())
    assert module.check(manifest) == []
    targets = {target for package in manifest["packages"] for target in package["files"].values()}
    assert set(manifest["sha256"]) == targets


def test_every_user_facing_module_is_in_the_router_table() -> None:
    screens = ROOT / "src/ironlog/web/static/app/screens"
    table = (screens.parent / "routes.js").read_text()
    for screen in screens.glob("*.js"):
        assert f'"./screens/{screen.name}"' in table, screen.name
