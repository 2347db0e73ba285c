"""Browser tests: a real Chromium (Debian's `chromium`) driven by Playwright against a live
`ironlog serve`, on SQLite and on PostgreSQL, each with a database of its own.

Without Chromium or Playwright the browser tests are skipped with the reason printed;
`IRONLOG_TEST_REQUIRE_BROWSER=1` (CI) makes that a failure instead.
"""

import asyncio
import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import _admin_execute, _postgres_url
from tests.live_server import REQUEST_TIMEOUT, LiveServer, live_server
from tests.web.signal import Signal

# Bounds on waits for a condition, never sleeps: a wait ends as soon as its condition holds, so a
# generous bound costs nothing when the machine is idle and keeps a loaded one from failing.
WAIT_TIMEOUT_MS = 60_000
CHROMIUM = os.environ.get("IRONLOG_TEST_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("IRONLOG_TEST_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "correct horse battery"


def _browser_unavailable_reason() -> str | None:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:  # pragma: no cover - a dev dependency
        return f"Playwright is not importable ({error})"
    return None


BROWSER_UNAVAILABLE = _browser_unavailable_reason()


def pytest_report_header() -> list[str]:
    if BROWSER_UNAVAILABLE:
        return [f"NOTICE: browser tests skipped: {BROWSER_UNAVAILABLE}."]
    return [f"browser: {CHROMIUM}"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not BROWSER_UNAVAILABLE:
        return
    if REQUIRE_BROWSER:
        raise pytest.UsageError(
            f"{BROWSER_UNAVAILABLE}; IRONLOG_TEST_REQUIRE_BROWSER=1 demands it."
        )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=BROWSER_UNAVAILABLE))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: needs Chromium and Playwright")


def _admin(sql: str) -> None:
    """In a thread of its own: Playwright's sync API keeps an event loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _admin_execute(sql)).result()


@pytest.fixture(scope="session")
def web_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`ironlog serve` on a database of its own (it migrates and loads the library itself)."""
    folder = tmp_path_factory.mktemp(f"web-{backend}")
    if backend == "sqlite":
        with live_server(folder, f"sqlite:///{folder / 'ironlog.db'}") as server:
            yield server
        return
    name = f"ironlog_web_{secrets.token_hex(6)}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        with live_server(folder, _postgres_url(name)) as server:
            yield server
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Per module: Playwright's sync API runs an event loop in this thread while it is started,
    which the suite's async tests must not find running."""
    if BROWSER_UNAVAILABLE:
        pytest.skip(BROWSER_UNAVAILABLE)
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait for their condition; 5 s (Playwright's default) is too short a bound when
    # the other core runs the rest of the suite and a screen waits for a sync pull.
    expect.set_options(timeout=WAIT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, service_workers="allow")
    context.set_default_timeout(WAIT_TIMEOUT_MS)
    # What the browser saw fail, printed with a failing test's output (pytest shows it then).
    context.on(
        "requestfailed",
        lambda request: print("request failed:", request.method, request.url, request.failure),
    )
    context.on("console", lambda message: print("console:", message.type, message.text))
    yield context
    context.close()


@pytest.fixture
def signal(web_server: LiveServer) -> Iterator[Signal]:
    """The live server behind a relay the test can cut (`Signal.go_offline`): open the app at
    `signal.server.url` for a journey that goes offline."""
    relay = Signal(web_server)
    yield relay
    relay.close()


@dataclass
class Account:
    email: str
    password: str
    name: str

    def api(self, server: LiveServer) -> httpx.Client:
        """The API as this user (a bearer token, as any API client)."""
        client = httpx.Client(base_url=f"{server.url}/api/v1", timeout=REQUEST_TIMEOUT)
        answer = client.post("/auth/login", json={"email": self.email, "password": self.password})
        answer.raise_for_status()
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        return client

    def items(self, server: LiveServer, path: str, **params: Any) -> list[dict[str, Any]]:
        """The items of one of this user's listings (`/workouts`, `/routines`, ...), read
        through the API as any client would."""
        api = self.api(server)
        try:
            answer = api.get(path, params=params)
        finally:
            api.close()
        answer.raise_for_status()
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


def new_account() -> Account:
    return Account(f"lifter-{uuid.uuid4().hex[:10]}@example.com", PASSWORD, "Ada Lovelace")


def sign_up(page: Any, server: LiveServer, account: Account) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/#/signup")
    page.get_by_label("Name").fill(account.name)
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()


def sign_in(page: Any, server: LiveServer, account: Account) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/#/signin")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()


def cookie_sessions(server: LiveServer) -> bool:
    """Whether the server keeps browser sessions in an HttpOnly cookie (needed across reloads)."""
    answer = httpx.post(
        f"{server.url}/api/v1/auth/refresh",
        headers={"X-IronLog-Session": "cookie"},
        json={},
        timeout=REQUEST_TIMEOUT,
    )
    return answer.status_code == 401


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical accessibility violations on the page (axe-core, vendored)."""
    # Evaluated through the DevTools protocol: an inline <script> would be refused by the CSP.
    page.evaluate(AXE.read_text() + "\n;0")
    results: dict[str, Any] = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
