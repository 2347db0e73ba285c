"""The web app's files, read once at start-up and served from memory.

Every file under `static/` is kept as it is and gzip-compressed. The build id is a hash of all of
them: assets are served under `/static/<build>/...` with a year-long immutable cache, so a new
version of any file changes every URL and a browser never mixes two versions.
"""

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
# Shipped for /docs and /redoc only: neither precached by the service worker nor preloaded.
DOCS_ONLY = ("vendor/swagger-ui/", "vendor/redoc/", "docs/")
_TYPES = {
    ".mjs": "text/javascript; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}
_COMPRESSIBLE = (".mjs", ".js", ".css", ".svg", ".txt", ".html", ".webmanifest", ".json")


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str


@dataclass(frozen=True, slots=True)
class Bundle:
    build: str
    files: dict[str, Asset]

    def url(self, path: str) -> str:
        return f"/static/{self.build}/{path}"

    def app_files(self) -> list[str]:
        """What the app needs offline: everything but the docs' assets and the licences."""
        return sorted(
            path
            for path in self.files
            if not path.startswith(DOCS_ONLY) and not path.endswith(".txt")
        )


def make_asset(path: str, body: bytes) -> Asset:
    suffix = Path(path).suffix
    media_type = _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    gzipped = gzip.compress(body, 9, mtime=0) if suffix in _COMPRESSIBLE else None
    return Asset(body, gzipped, media_type)


@cache
def bundle() -> Bundle:
    files: dict[str, Asset] = {}
    digest = hashlib.sha256()
    for file in sorted(STATIC.rglob("*")):
        if not file.is_file() or file.name.endswith((".d.ts", ".d.mts")):  # types, for tsc
            continue
        path = file.relative_to(STATIC).as_posix()
        body = file.read_bytes()
        digest.update(path.encode() + b"\0" + body)
        files[path] = make_asset(path, body)
    return Bundle(digest.hexdigest()[:12], files)


@cache
def template(name: str) -> str:
    return (TEMPLATES / name).read_text()
