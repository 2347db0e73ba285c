"""Browser sessions for IronLog's web app: the refresh token in an HttpOnly cookie.

A request opts in with `X-IronLog-Session: cookie` (register, login, refresh, logout). The
refresh token then travels only in the `ironlog_refresh` cookie (HttpOnly, SameSite=Strict,
scoped to the auth routes), never in a body JavaScript could read; the access token stays in the
body. The custom header is the CSRF defence: a cross-site form cannot send it, and cross-origin
JavaScript needs a CORS preflight that fails unless the origin is configured. A request that
carries an `Origin` must come from this server's own origin or a configured CORS origin.
docs/web-sessions.md explains the contract.
"""

from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.responses import Response

from ironlog.auth.errors import ForeignOrigin
from ironlog.auth.schemas import TokenPair
from ironlog.core.config import Settings

SESSION_HEADER = "X-IronLog-Session"
COOKIE_NAME = "ironlog_refresh"
COOKIE_PATH = "/api/v1/auth"
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def refresh_cookie(value: str, *, max_age: int, secure: bool) -> str:
    """A `Set-Cookie` value for the refresh cookie; `max_age=0` clears it."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE_NAME] = value
    morsel = cookie[COOKIE_NAME]
    morsel["path"] = COOKIE_PATH
    morsel["max-age"] = max_age
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    if secure:
        morsel["secure"] = True
    return morsel.OutputString()


def is_secure_context(request: Request) -> bool:
    """Whether cookies need `Secure`: all but plain HTTP to a loopback host (a developer's
    machine). The scheme honours `X-Forwarded-Proto` from the proxies `ironlog serve
    --forwarded-allow-ips` trusts, since uvicorn rewrites the request's scheme for them."""
    return request.url.scheme != "http" or request.url.hostname not in _LOOPBACK_HOSTS


def _origin_allowed(request: Request, origin: str, settings: Settings) -> bool:
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    allowed = {own, *(item.rstrip("/").lower() for item in settings.cors_origins)}
    return origin.rstrip("/").lower() in allowed


@dataclass(frozen=True, slots=True)
class BrowserSession:
    """A request in cookie mode."""

    refresh_token: str | None  # the cookie's value, when the browser sent it
    secure: bool
    max_age: int

    def set_cookie(self, response: Response, refresh_token: str) -> None:
        response.headers.append(
            "set-cookie", refresh_cookie(refresh_token, max_age=self.max_age, secure=self.secure)
        )

    def clear_cookie(self, response: Response) -> None:
        response.headers.append("set-cookie", self.clearing_header)

    @property
    def clearing_header(self) -> str:
        return refresh_cookie("", max_age=0, secure=self.secure)

    def deliver(self, tokens: TokenPair, response: Response) -> TokenPair:
        """Move the refresh token from the body into the cookie."""
        if tokens.refresh_token is not None:
            self.set_cookie(response, tokens.refresh_token)
        return tokens.model_copy(update={"refresh_token": None})


def browser_session(request: Request, settings: Settings) -> BrowserSession:
    """The request's cookie transport (whether or not it asked for cookie mode)."""
    return BrowserSession(
        refresh_token=request.cookies.get(COOKIE_NAME) or None,
        secure=is_secure_context(request),
        max_age=settings.refresh_token_ttl_seconds,
    )


async def get_browser_session(
    request: Request,
    x_ironlog_session: Annotated[
        str | None,
        Header(
            alias=SESSION_HEADER,
            pattern="^cookie$",
            description="`cookie` for IronLog's web app: the refresh token is set as the "
            "HttpOnly cookie `ironlog_refresh` (and read from it) instead of the JSON body, "
            "whose `refresh_token` is then null. Absent for API clients.",
            examples=["cookie"],
        ),
    ] = None,
) -> BrowserSession | None:
    """The request's cookie mode, or None for an API client. 403 `forbidden` when a
    cookie-mode request comes from a foreign origin. (The cookie is read from the request, not
    declared as a parameter: generated API clients have no use for it.)"""
    if x_ironlog_session is None:
        return None
    settings: Settings = request.app.state.settings
    origin = request.headers.get("origin")
    if origin is not None and not _origin_allowed(request, origin, settings):
        raise ForeignOrigin()
    return browser_session(request, settings)


BrowserSessionDep = Annotated[BrowserSession | None, Depends(get_browser_session)]
