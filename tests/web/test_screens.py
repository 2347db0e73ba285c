"""Every screen in Chromium at phone and desktop size, light and dark: a screenshot of each
(kept in build/screenshots for CI's artifacts) and no serious or critical axe violation.
Also the import journey: a Strong file, its preview, then the import."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer
from tests.web.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    WAIT_TIMEOUT_MS,
    Account,
    axe_violations,
    new_account,
    sign_in,
    sign_up,
)
from tests.web.test_journeys import add_exercise, expect, fill_set, tick

pytestmark = pytest.mark.browser

HEADER = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes"
STRONG_CSV = f"""{HEADER},Workout Notes,RPE
2026-11-02 18:00:00,Push,45m,Bench Press (Barbell),1,60,10,0,0,,,
2026-11-02 18:00:00,Push,45m,Bench Press (Barbell),2,80,5,0,0,,,8
2026-11-02 18:00:00,Push,45m,Squat (Barbell),1,100,5,0,0,,,
2026-11-09 18:00:00,Push,50m,Bench Press (Barbell),1,82.5,5,0,0,,,
2026-11-09 18:00:00,Push,50m,Squat (Barbell),1,105,5,0,0,,,
2026-11-09 18:00:00,Push,50m,Zercher Carry Deluxe,1,40,20,0,0,,,
"""


def import_strong_file(page: Any, server: LiveServer, file: Path) -> None:
    page.goto(f"{server.url}/#/data")
    page.get_by_label("File", exact=True).set_input_files(str(file))
    page.get_by_label("App").select_option("strong")
    page.get_by_role("button", name="Preview").click()
    report = page.locator(".report")
    expect()(report).to_contain_text("2 new workout(s), 0 already here, 6 set(s).")
    expect()(report).to_contain_text("Exercises created (1)")
    page.get_by_role("button", name="Import", exact=True).click()
    expect()(report).to_contain_text("Imported.")


def test_import_a_strong_file_with_a_preview_first(
    context: Any, web_server: LiveServer, tmp_path: Path
) -> None:
    file = tmp_path / "strong.csv"
    file.write_text(STRONG_CSV)
    page = context.new_page()
    account = new_account()
    sign_up(page, web_server, account)
    page.goto(f"{web_server.url}/#/data")
    page.get_by_label("File", exact=True).set_input_files(str(file))
    page.get_by_role("button", name="Preview").click()
    expect()(page.locator(".report")).to_contain_text("2 new workout(s)")
    assert _workout_count(account, web_server) == 0  # the preview imported nothing
    page.get_by_role("button", name="Import", exact=True).click()
    expect()(page.locator(".report")).to_contain_text("Imported.")
    assert _workout_count(account, web_server) == 2
    page.get_by_role("link", name="History").click()
    expect()(page.get_by_role("link").filter(has_text="Push")).to_have_count(2)


def _workout_count(account: Account, server: LiveServer) -> int:
    api = account.api(server)
    try:
        total: int = api.get("/workouts").json()["total"]
        return total
    finally:
        api.close()


SIGNED_OUT = ["signin", "signup"]
SIGNED_IN = [
    "home",
    "workout",
    "history",
    "calendar",
    "workout-detail",
    "exercises",
    "exercise",
    "exercise-new",
    "progress",
    "routines",
    "routine-editor",
    "body",
    "data",
    "settings",
]


def _visit(page: Any, server: LiveServer, screen: str, ids: dict[str, str]) -> None:
    url = server.url
    if screen == "calendar":
        page.goto(f"{url}/#/history")
        page.get_by_role("button", name="Calendar").click()
        expect()(page.locator(".calendar-grid")).to_be_visible()
        return
    route = {
        "signin": "/signin",
        "signup": "/signup",
        "home": "/",
        "workout": "/workout",
        "history": "/history",
        "workout-detail": f"/history/{ids.get('workout')}",
        "exercises": "/exercises",
        "exercise": f"/exercises/{ids.get('exercise')}",
        "exercise-new": "/exercises/new",
        "progress": "/progress",
        "routines": "/routines",
        "routine-editor": f"/routines/{ids.get('routine')}",
        "body": "/body",
        "data": "/data",
        "settings": "/settings",
    }[screen]
    page.goto(f"{url}/#{route}")
    expect()(page.locator("h1").first).to_be_visible()
    if screen == "progress":
        expect()(page.locator(".records-table")).to_be_visible()
        # A count agrees with its noun: the seed has an exercise done in one working set.
        expect()(page.locator(".card-meta", has_text="1 set ·")).to_be_visible()
    if screen in ("exercise", "body"):
        expect()(page.locator(".chart svg")).to_be_visible()
    if screen == "routines":
        expect()(page.get_by_role("heading", name="Upper")).to_be_visible()
    if screen == "routine-editor":
        expect()(page.get_by_text("Superset 1").first).to_be_visible()


@pytest.mark.parametrize(
    ("viewport", "scheme"), [(PHONE, "light"), (PHONE, "dark"), (DESKTOP, "light")]
)
def test_every_screen_renders_cleanly_and_passes_axe(
    browser: Any,
    web_server: LiveServer,
    backend: str,
    tmp_path: Path,
    viewport: dict[str, int],
    scheme: str,
) -> None:
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    context.set_default_timeout(WAIT_TIMEOUT_MS)
    folder = SCREENSHOTS / f"{viewport['width']}x{viewport['height']}-{scheme}"
    folder.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[Any]] = {}
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        for screen in SIGNED_OUT:
            _visit(page, web_server, screen, {})
            page.screenshot(path=folder / f"{screen}.png", full_page=True)
            found[screen] = axe_violations(page)
        account = new_account()
        sign_up(page, web_server, account)
        file = tmp_path / "strong.csv"
        file.write_text(STRONG_CSV)
        import_strong_file(page, web_server, file)
        page.get_by_role("link", name="History").click()
        expect()(page.get_by_role("link").filter(has_text="Push")).to_have_count(2)
        ids = _ids(account, web_server)
        page.goto(f"{web_server.url}/#/")
        page.get_by_role("button", name="Start an empty workout").click()
        add_exercise(page, "Bench Press")
        fill_set(page, "Bench Press", 1, "85", "5")
        tick(page, "Bench Press", 1)
        for screen in SIGNED_IN:
            _visit(page, web_server, screen, ids)
            page.screenshot(path=folder / f"{screen}.png", full_page=True)
            found[screen] = axe_violations(page)
        assert errors == []
    finally:
        context.close()
    assert {screen: v for screen, v in found.items() if v} == {}


def _ids(account: Account, server: LiveServer) -> dict[str, str]:
    """The ids the screens show; also a folder, two routines (one with a superset) and body
    weights for the routines and body screens."""
    api = account.api(server)
    try:
        workout = api.get("/workouts").json()["items"][0]
        exercises = [e["exercise_id"] for e in workout["exercises"]]
        folder = api.post("/routine-folders", json={"name": "Upper"}).json()
        sets = [{"set_type": "warmup", "weight_kg": 40, "reps": 10}]
        sets += [{"weight_kg": 80, "rep_range": {"min": 5, "max": 8}}] * 3
        routine = api.post(
            "/routines",
            json={
                "name": "Heavy day",
                "folder_id": folder["id"],
                "exercises": [
                    {"exercise_id": e, "rest_seconds": 120, "superset": 1, "sets": sets}
                    for e in exercises
                ],
            },
        ).json()
        api.post("/routines", json={"name": "Deload", "exercises": []}).raise_for_status()
        for days, kg in ((9, 82.4), (6, 81.9), (2, 81.5), (0, 81.1)):
            day = (date.today() - timedelta(days=days)).isoformat()
            api.put(f"/body-measurements/{day}", json={"weight_kg": kg}).raise_for_status()
        return {
            "workout": workout["id"],
            "exercise": exercises[0],
            "routine": routine["id"],
        }
    finally:
        api.close()


def test_sign_in_again_after_signing_out(context: Any, web_server: LiveServer) -> None:
    page = context.new_page()
    account = new_account()
    sign_up(page, web_server, account)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect()(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect()(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    sign_in(page, web_server, account)
