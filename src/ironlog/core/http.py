"""HTTP hardening that applies to every response: the security headers."""

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]
# The API serves JSON only: nothing may load or run from its responses.
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# The web app and the API docs: every asset from this origin, no inline script or style, no eval.
WEB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
# ReDoc's styled-components fills an empty <style> element through the CSSOM: that one empty
# element is allowed by its hash (SHA-256 of ""), still no inline style content.
_EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
# Its icon font is a data: URL inside the bundle.
REDOC_CSP = WEB_CSP.replace("style-src 'self'", f"style-src 'self' {_EMPTY_STYLE}").replace(
    "font-src 'self'", "font-src 'self' data:"
)
_OTHER_WEB_HEADERS = [
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_WEB_HEADERS = [(b"content-security-policy", WEB_CSP.encode()), *_OTHER_WEB_HEADERS]
_REDOC_HEADERS = [(b"content-security-policy", REDOC_CSP.encode()), *_OTHER_WEB_HEADERS]
_WEB_PATHS = ("/static/", "/docs")
_WEB_FILES = ("/", "/sw.js", "/manifest.webmanifest")
_API_RESPONSE_HEADERS = (*_SECURITY_HEADERS, _API_CSP)
_WEB_RESPONSE_HEADERS = (*_SECURITY_HEADERS, *_WEB_HEADERS)
_REDOC_RESPONSE_HEADERS = (*_SECURITY_HEADERS, *_REDOC_HEADERS)


def response_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers of a response to `path` (`core.middleware` adds them to all)."""
    if path == "/redoc":
        return _REDOC_RESPONSE_HEADERS
    if path in _WEB_FILES or path.startswith(_WEB_PATHS):
        return _WEB_RESPONSE_HEADERS
    return _API_RESPONSE_HEADERS


def security_headers(path: str) -> dict[str, str]:
    """The headers as a dict, for a response made outside the middleware (Starlette's 500)."""
    return {name.decode(): value.decode() for name, value in response_headers(path)}
