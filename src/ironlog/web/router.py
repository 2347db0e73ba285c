"""Routes of the web app (`/`, `/sw.js`, `/manifest.webmanifest`, `/static/...`) and the API
docs pages (`/docs`, `/docs/oauth2-redirect`, `/redoc`), which load Swagger UI and ReDoc from
the package. The docs pages are added to the app itself, where FastAPI would put its own."""

import json

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from ironlog.core.errors import NotFound
from ironlog.web.assets import Asset, Bundle, bundle, template

router = APIRouter(include_in_schema=False)

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def _respond(request: Request, asset: Asset, cache_control: str) -> Response:
    headers = {"cache-control": cache_control, "vary": "accept-encoding"}
    if asset.gzipped and "gzip" in request.headers.get("accept-encoding", ""):
        headers["content-encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def _page(request: Request, name: str, **values: str) -> Response:
    files = bundle()
    html = template(name).format(static=f"/static/{files.build}", **values)
    page = Asset(html.encode(), None, "text/html; charset=utf-8")
    return _respond(request, page, REVALIDATE)


def _preloads(files: Bundle) -> str:
    modules = [path for path in files.app_files() if path.endswith((".js", ".mjs"))]
    return "\n    ".join(
        f'<link rel="modulepreload" href="{files.url(path)}">'
        for path in modules
        if path != "app/main.js"
    )


@router.api_route("/", methods=["GET", "HEAD"])
async def app_shell(request: Request) -> Response:
    return _page(request, "index.html", preloads=_preloads(bundle()))


@router.get("/sw.js")
async def service_worker(request: Request) -> Response:
    files = bundle()
    precache = ["/", *(files.url(path) for path in files.app_files())]
    script = template("sw.js").replace(
        "/*BUILD*/",
        f"const BUILD = {json.dumps(files.build)};\n"
        f"const PRECACHE = {json.dumps(precache, indent=2)};\n",
    )
    return _respond(request, Asset(script.encode(), None, "text/javascript"), REVALIDATE)


@router.get("/manifest.webmanifest")
async def web_manifest(request: Request) -> Response:
    files = bundle()
    manifest = {
        "name": "IronLog",
        "short_name": "IronLog",
        "description": "Log your workouts, even with no signal.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#101418",
        "theme_color": "#101418",
        "icons": [
            {"src": files.url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": files.url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": files.url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    body = json.dumps(manifest).encode()
    return _respond(request, Asset(body, None, "application/manifest+json"), REVALIDATE)


@router.get("/static/{build}/{path:path}")
async def static_file(request: Request, build: str, path: str) -> Response:
    files = bundle()
    asset = files.files.get(path)
    if asset is None:
        raise NotFound()
    # An older build's URL (a page loaded before an upgrade) gets today's file, not kept long.
    return _respond(request, asset, IMMUTABLE if build == files.build else REVALIDATE)


async def swagger_ui(request: Request) -> Response:
    return _page(request, "docs.html", title=request.app.title)


async def swagger_ui_redirect(request: Request) -> Response:
    return _page(request, "oauth2-redirect.html")


async def redoc(request: Request) -> Response:
    return _page(request, "redoc.html", title=request.app.title)


def install_docs(app: FastAPI) -> None:
    """The docs pages, in place of FastAPI's (which load their scripts from a CDN, inline)."""
    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    app.add_api_route("/docs/oauth2-redirect", swagger_ui_redirect, include_in_schema=False)
    app.add_api_route("/redoc", redoc, include_in_schema=False)
