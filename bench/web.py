"""The web app in Chromium: cold first load, compressed size, and how fast ticking a set shows.

    uv run python -m bench.web   (or `make bench-web`)

Runs `ironlog serve` on a throwaway SQLite database and drives Debian's Chromium through
Playwright. Figures, not assertions: docs/web-app.md records them.
"""

import gzip
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from ironlog.web.assets import bundle
from tests.live_server import live_server
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

LOADS = 7
TICKS = 40
TICK = """async () => {
  const button = document.querySelector("button.tick");
  const want = button.getAttribute("aria-pressed") === "true" ? "false" : "true";
  const start = performance.now();
  button.click();
  await new Promise((resolve) => {
    const check = () =>
      button.getAttribute("aria-pressed") === want ? resolve() : requestAnimationFrame(check);
    check();
  });
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  return performance.now() - start;
}"""


def compressed_size() -> tuple[int, int]:
    files = bundle()
    app = [p for p in files.app_files() if p.endswith((".js", ".mjs", ".css"))]
    raw = sum(len(files.files[p].body) for p in app)
    return raw, sum(len(gzip.compress(files.files[p].body, 9)) for p in app)


def cold_load(browser: Any, url: str) -> list[float]:
    """A new browser profile each time (no HTTP cache, no service worker): until Sign in shows."""
    timings = []
    for _ in range(LOADS):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.get_by_role("heading", name="Sign in").wait_for()
        timings.append((time.perf_counter() - start) * 1000)
        context.close()
    return timings


FORGET_CACHES = """async () => {
  for (const registration of await navigator.serviceWorker.getRegistrations()) {
    await registration.unregister();
  }
  for (const key of await caches.keys()) await caches.delete(key);
}"""


def cold_home(browser: Any, url: str) -> list[float] | None:
    """Signed in (the refresh cookie kept), nothing cached: until the home screen shows."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_up(page, url)
    timings = []
    for _ in range(LOADS):
        page.evaluate(FORGET_CACHES)
        context.new_cdp_session(page).send("Network.clearBrowserCache")
        page.close()
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        home = page.get_by_role("heading", name="Home")
        signed_out = page.get_by_role("heading", name="Sign in")
        home.or_(signed_out).wait_for()
        if not home.is_visible():
            context.close()
            return None  # a server without cookie sessions: a reload signs out
        timings.append((time.perf_counter() - start) * 1000)
    context.close()
    return timings


def sign_up(page: Any, url: str) -> None:
    page.goto(f"{url}/#/signup")
    page.get_by_label("Name").fill("Bench")
    page.get_by_label("Email").fill(f"bench-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Home").wait_for()


def tick_latency(browser: Any, url: str, *, offline: bool) -> list[float]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_up(page, url)
    page.get_by_role("button", name="Start an empty workout").click()
    page.get_by_role("button", name="+ Add exercise").click()
    page.get_by_label("Search exercises").fill("Bench Press")
    page.get_by_role("dialog").get_by_role("button").filter(has_text="Bench Press").first.click()
    page.get_by_label("Weight (kg), Bench Press, set 1").fill("100")
    page.get_by_label("Reps, Bench Press, set 1").fill("5")
    page.get_by_label("Reps, Bench Press, set 1").blur()
    context.set_offline(offline)
    timings = [page.evaluate(TICK) for _ in range(TICKS)]
    context.close()
    return timings


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"{name}: median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(values):.1f} ms (n={len(values)})"
    )


def main() -> None:
    raw, zipped = compressed_size()
    print(f"app JS + CSS: {raw / 1024:.1f} KiB, gzip -9 {zipped / 1024:.1f} KiB (budget 150 KiB)")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        database = f"sqlite:///{Path(folder) / 'ironlog.db'}"
        with live_server(Path(folder), database) as server:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                print(
                    summary("cold first load to the sign-in screen", cold_load(browser, server.url))
                )
                home = cold_home(browser, server.url)
                print(
                    summary("cold load, signed in, to the home screen", home)
                    if home
                    else "cold load to the home screen: needs cookie sessions on this server"
                )
                print(
                    summary("tick a set, online", tick_latency(browser, server.url, offline=False))
                )
                print(
                    summary("tick a set, offline", tick_latency(browser, server.url, offline=True))
                )
            finally:
                browser.close()


if __name__ == "__main__":
    main()
