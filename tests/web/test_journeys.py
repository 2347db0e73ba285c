"""A lifter's journeys through the web app in a real Chromium, checked through the API."""

from typing import Any

import httpx
import pytest

from tests.live_server import REQUEST_TIMEOUT, LiveServer
from tests.web.conftest import cookie_sessions, new_account, sign_in, sign_up
from tests.web.signal import Signal

pytestmark = pytest.mark.browser

LB = 0.45359237


def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def add_exercise(page: Any, name: str) -> None:
    page.get_by_role("button", name="+ Add exercise").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Search exercises").fill(name)
    dialog.get_by_role("button", name=name, exact=False).filter(
        has=page.get_by_text(name, exact=True)
    ).click()
    expect()(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def fill_set(page: Any, exercise: str, number: int, weight: str | None, reps: str) -> None:
    row = f"{exercise}, set {number}"
    if weight is not None:
        field = page.get_by_label(f"Weight (kg), {row}").or_(
            page.get_by_label(f"Weight (lb), {row}")
        )
        field.fill(weight)
        field.blur()
    reps_field = page.get_by_label(f"Reps, {row}")
    reps_field.fill(reps)
    reps_field.blur()


def tick(page: Any, exercise: str, number: int) -> None:
    button = page.get_by_role("button", name=f"Mark set {number} done, {exercise}")
    button.click()
    expect()(
        page.get_by_role("button", name=f"Mark set {number} not done, {exercise}")
    ).to_be_visible()


def add_set(page: Any, exercise: str) -> None:
    page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=exercise, exact=True)
    ).get_by_role("button", name="+ Add set").click()


def make_warmup(page: Any, exercise: str, number: int) -> None:
    page.get_by_role("button", name=f"Set type: Working, {exercise}, set {number}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Warm-up").click()
    dialog.get_by_role("button", name="Done").click()
    expect()(
        page.get_by_role("button", name=f"Set type: Warm-up, {exercise}, set {number}")
    ).to_be_visible()


def wait_until_saved(page: Any) -> None:
    expect()(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()


def weight_step_kg(server: LiveServer) -> float:
    schema = httpx.get(f"{server.url}/openapi.json", timeout=REQUEST_TIMEOUT).json()
    schema = schema["components"]["schemas"]["SetWrite"]
    weight = schema["properties"]["weight_kg"]
    steps = [part["multipleOf"] for part in weight.get("anyOf", [weight]) if "multipleOf" in part]
    return float(steps[0]) if steps else 0.001


def test_sign_up_and_log_a_full_workout(context: Any, web_server: LiveServer) -> None:
    page = context.new_page()
    account = new_account()
    sign_up(page, web_server, account)
    page.get_by_role("button", name="Start an empty workout").click()

    add_exercise(page, "Bench Press")
    make_warmup(page, "Bench Press", 1)
    fill_set(page, "Bench Press", 1, "40", "10")
    tick(page, "Bench Press", 1)
    expect()(page.get_by_role("timer", name="Rest timer")).to_be_visible()
    for number in (2, 3):
        add_set(page, "Bench Press")
        fill_set(page, "Bench Press", number, "80", "5")
        tick(page, "Bench Press", number)

    add_exercise(page, "Back Squat")
    make_warmup(page, "Back Squat", 1)
    fill_set(page, "Back Squat", 1, "60", "5")
    tick(page, "Back Squat", 1)
    add_set(page, "Back Squat")
    fill_set(page, "Back Squat", 2, "100", "5")
    tick(page, "Back Squat", 2)

    add_exercise(page, "Bent-Over Row")
    fill_set(page, "Bent-Over Row", 1, "70", "8")
    add_exercise(page, "Barbell Curl")
    fill_set(page, "Barbell Curl", 1, "30", "12")
    page.get_by_role("button", name="More: Bent-Over Row").click()
    page.get_by_role("dialog").get_by_role("button", name="Superset with next").click()
    expect()(page.get_by_text("Superset 1")).to_have_count(2)
    # Inside a superset the rest starts after the last exercise of the round.
    page.get_by_role("button", name="Skip").click()
    tick(page, "Bent-Over Row", 1)
    expect()(page.get_by_role("timer", name="Rest timer")).to_have_count(0)
    tick(page, "Barbell Curl", 1)
    expect()(page.get_by_role("timer", name="Rest timer")).to_be_visible()
    wait_until_saved(page)

    page.get_by_role("button", name="Finish").click()
    expect()(page.get_by_role("heading", name="Workout complete")).to_be_visible()
    expect()(page.get_by_role("listitem").filter(has_text="Bench Press").first).to_be_visible()
    wait_until_saved(page)

    [workout] = account.items(web_server, "/workouts", size=100)
    assert workout["status"] == "finished"
    summary = [
        (
            e["exercise"]["name"],
            [(s["set_type"], s["weight_kg"], s["reps"], s["completed"]) for s in e["sets"]],
        )
        for e in workout["exercises"]
    ]
    assert summary == [
        (
            "Bench Press",
            [("warmup", 40.0, 10, True), ("normal", 80.0, 5, True), ("normal", 80.0, 5, True)],
        ),
        ("Back Squat", [("warmup", 60.0, 5, True), ("normal", 100.0, 5, True)]),
        ("Bent-Over Row", [("normal", 70.0, 8, True)]),
        ("Barbell Curl", [("normal", 30.0, 12, True)]),
    ]
    if "superset" in workout["exercises"][0]:
        assert [e["superset"] for e in workout["exercises"]] == [None, None, 1, 1]


def test_sets_logged_offline_reach_the_server_once(context: Any, signal: Signal) -> None:
    web_server = signal.server
    if not cookie_sessions(web_server):
        pytest.skip("this server has no cookie sessions yet: a reload would sign the app out")
    page = context.new_page()
    account = new_account()
    sign_up(page, web_server, account)
    page.get_by_role("button", name="Start an empty workout").click()
    add_exercise(page, "Deadlift")
    wait_until_saved(page)

    signal.go_offline(context)
    fill_set(page, "Deadlift", 1, "140", "5")
    tick(page, "Deadlift", 1)
    for number in (2, 3):
        add_set(page, "Deadlift")
        fill_set(page, "Deadlift", number, "150", "3")
        tick(page, "Deadlift", number)
    expect()(page.get_by_role("status").filter(has_text="Offline")).to_be_visible()
    # Each change is on the device once its IndexedDB transaction commits, moments after the tap.
    expect()(page.locator("[data-writing]")).to_have_attribute("data-writing", "0")
    page.reload()
    expect()(page.get_by_role("button", name="Mark set 3 not done, Deadlift")).to_be_visible()
    page.close()
    page = context.new_page()
    page.goto(f"{web_server.url}/#/workout")
    expect()(page.get_by_role("button", name="Mark set 3 not done, Deadlift")).to_be_visible()
    signal.go_online(context)
    wait_until_saved(page)

    [workout] = account.items(web_server, "/workouts", size=100)
    [execution] = workout["exercises"]
    assert [(s["weight_kg"], s["reps"], s["completed"]) for s in execution["sets"]] == [
        (140.0, 5, True),
        (150.0, 3, True),
        (150.0, 3, True),
    ]


def test_back_online_after_an_offline_start_the_app_keeps_the_lifter_s_own_exercises(
    context: Any, signal: Signal
) -> None:
    """Opened offline, the app has no access token; back online it must take one before it
    pulls the exercise library, which is public: pulled as a stranger, it would hold the
    system library only, and the lifter's own exercises would vanish from the device."""
    web_server = signal.server
    if not cookie_sessions(web_server):
        pytest.skip("this server has no cookie sessions yet: a reload would sign the app out")
    account = new_account()
    page = context.new_page()
    sign_up(page, web_server, account)
    body = {"name": "Aardvark Carry", "body_part": "back", "modality": "BARBELL"}
    api = account.api(web_server)
    try:
        api.post("/exercises", json=body).raise_for_status()
    finally:
        api.close()
    with page.expect_response(lambda response: "/api/v1/sync" in response.url):
        page.goto(f"{web_server.url}/#/exercises")
        page.reload()

    signal.go_offline(context)
    page.reload()
    with page.expect_response(
        lambda response: "/api/v1/sync" in response.url and response.status == 200
    ):
        signal.go_online(context)
    signal.go_offline(context)
    page.reload()
    page.get_by_label("Search exercises").fill("Aardvark")
    expect()(page.get_by_text("Aardvark Carry")).to_be_visible()
    signal.go_online(context)


def test_a_change_made_meanwhile_on_another_device_is_shown_not_overwritten(
    browser: Any, web_server: LiveServer
) -> None:
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    tablet = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        account = new_account()
        first = phone.new_page()
        sign_up(first, web_server, account)
        first.get_by_role("button", name="Start an empty workout").click()
        add_exercise(first, "Bench Press")
        fill_set(first, "Bench Press", 1, "80", "5")
        wait_until_saved(first)

        second = tablet.new_page()
        sign_in(second, web_server, account)
        second.get_by_role("button", name="Continue on this device").click()
        expect()(second.get_by_label("Reps, Bench Press, set 1")).to_have_value("5")

        fill_set(first, "Bench Press", 1, "80", "6")
        wait_until_saved(first)
        fill_set(second, "Bench Press", 1, "85", "5")

        dialog = second.get_by_role("dialog")
        expect()(dialog.get_by_role("heading", name="Changed on another device")).to_be_visible()
        [workout] = account.items(web_server, "/workouts", size=100)
        assert [(s["weight_kg"], s["reps"]) for s in workout["exercises"][0]["sets"]] == [(80.0, 6)]
        dialog.get_by_role("button", name="Use theirs").click()
        expect()(second.get_by_label("Reps, Bench Press, set 1")).to_have_value("6")
        expect()(second.get_by_label("Weight (kg), Bench Press, set 1")).to_have_value("80")
    finally:
        phone.close()
        tablet.close()


def test_a_pound_user_types_225_and_sees_225_everywhere(
    context: Any, web_server: LiveServer
) -> None:
    page = context.new_page()
    account = new_account()
    sign_up(page, web_server, account)
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Weight unit").select_option("lb")
    expect()(page.get_by_text("Saved.")).to_be_visible()

    page.get_by_role("link", name="Home").click()
    page.get_by_role("button", name="Start an empty workout").click()
    add_exercise(page, "Bench Press")
    fill_set(page, "Bench Press", 1, "225", "5")
    tick(page, "Bench Press", 1)
    expect()(page.get_by_label("Weight (lb), Bench Press, set 1")).to_have_value("225")
    page.get_by_role("button", name="Finish").click()
    expect()(page.get_by_text("225 lb").first).to_be_visible()
    wait_until_saved(page)

    [workout] = account.items(web_server, "/workouts", size=100)
    weight = workout["exercises"][0]["sets"][0]["weight_kg"]
    # 102.058 kg on a server that keeps grams; 102.06 kg on one that keeps 10 g.
    assert weight == {0.001: 102.058, 0.01: 102.06}[weight_step_kg(web_server)]

    page.goto(f"{web_server.url}/#/history/{workout['id']}")
    expect()(page.get_by_text("225 lb × 5")).to_be_visible()
    page.goto(f"{web_server.url}/#/exercises/{workout['exercises'][0]['exercise_id']}")
    expect()(page.get_by_role("definition").filter(has_text="225 lb").first).to_be_visible()


def test_editing_a_finished_workout_shows_a_change_made_meanwhile(
    browser: Any, web_server: LiveServer
) -> None:
    account = new_account()
    setup = browser.new_context(viewport={"width": 390, "height": 844})
    laptop = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = setup.new_page()
        sign_up(page, web_server, account)
        api = account.api(web_server)
        bench = api.get("/exercises", params={"q": "Bench Press", "size": 1}).json()["items"][0]
        created = api.post(
            "/workouts",
            json={
                "name": "Push",
                "started_at": "2026-11-20T17:00:00Z",
                "exercises": [{"exercise_id": bench["id"], "sets": [{"weight_kg": 80, "reps": 5}]}],
            },
        ).json()
        api.post(f"/workouts/{created['id']}/finish", json={"finished_at": "2026-11-20T18:00:00Z"})

        phone = page
        computer = laptop.new_page()
        sign_in(computer, web_server, account)
        for screen in (phone, computer):
            screen.goto(f"{web_server.url}/#/history/{created['id']}")
            screen.get_by_role("button", name="Edit").click()

        reps = phone.get_by_label("Reps, Bench Press 1")
        reps.fill("6")
        reps.blur()
        phone.get_by_role("button", name="Save").click()
        expect()(phone.get_by_text("80 kg × 6")).to_be_visible()

        weight = computer.get_by_label("Weight (kg), Bench Press 1")
        weight.fill("85")
        weight.blur()
        computer.get_by_role("button", name="Save").click()
        expect()(computer.get_by_role("alert")).to_contain_text("changed on another device")

        stored = api.get(f"/workouts/{created['id']}").json()
        assert [(s["weight_kg"], s["reps"]) for s in stored["exercises"][0]["sets"]] == [(80.0, 6)]
        assert stored["status"] == "finished"
        assert stored["finished_at"] == "2026-11-20T18:00:00Z"
        api.close()
        computer.get_by_role("button", name="Reload").click()
        expect()(computer.get_by_text("80 kg × 6")).to_be_visible()
    finally:
        setup.close()
        laptop.close()
