"""Routines and body weight in the web app, in a real Chromium, checked through the API."""

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tests.live_server import LiveServer
from tests.web.conftest import cookie_sessions, new_account, sign_up
from tests.web.signal import Signal
from tests.web.test_journeys import (
    add_exercise,
    add_set,
    expect,
    fill_set,
    tick,
    wait_until_saved,
)

pytestmark = pytest.mark.browser


def exercise_block(page: Any, name: str) -> Any:
    return page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=name, exact=True)
    )


def open_menu(page: Any, name: str) -> Any:
    page.get_by_role("button", name=f"More: {name}").click()
    return page.get_by_role("dialog")


def test_create_a_routine_with_a_superset_start_it_and_log_it(
    context: Any, web_server: LiveServer
) -> None:
    page = context.new_page()
    account = new_account()
    sign_up(page, web_server, account)
    page.get_by_role("link", name="Routines", exact=True).click()
    expect()(page.get_by_role("heading", name="Routines")).to_be_visible()
    page.get_by_role("link", name="+ New routine").click()
    page.get_by_label("Routine name").fill("Pull and press")

    add_exercise(page, "Bench Press")
    page.get_by_label("Set type, Bench Press, set 1").select_option("warmup")
    fill_set(page, "Bench Press", 1, "40", "10")
    add_set(page, "Bench Press")
    fill_set(page, "Bench Press", 2, "80", "5")
    exercise_block(page, "Bench Press").get_by_label("Rest (seconds)").fill("90")
    exercise_block(page, "Bench Press").get_by_label("Rest (seconds)").blur()

    add_exercise(page, "Bent-Over Row")
    fill_set(page, "Bent-Over Row", 1, "70", "8")
    add_set(page, "Bent-Over Row")
    add_set(page, "Bent-Over Row")
    page.get_by_role("button", name="Remove Bent-Over Row, set 3").click()
    expect()(page.get_by_label("Reps, Bent-Over Row, set 3")).to_have_count(0)
    # The row first, then a superset of the two.
    open_menu(page, "Bent-Over Row").get_by_role("button", name="Move up").click()
    open_menu(page, "Bent-Over Row").get_by_role("button", name="Superset with next").click()
    expect()(page.get_by_text("Superset 1")).to_have_count(2)
    page.get_by_role("button", name="Save").click()

    expect()(page.get_by_role("heading", name="Routines")).to_be_visible()
    expect()(page.get_by_role("link", name="Pull and press")).to_contain_text(
        "Bent-Over Row, Bench Press"
    )
    [routine] = account.items(web_server, "/routines", size=100)
    assert routine["name"] == "Pull and press"
    assert [
        (
            e["exercise"]["name"],
            e["superset"],
            e["rest_seconds"],
            [(s["set_type"], s["weight_kg"], s["reps"]) for s in e["sets"]],
        )
        for e in routine["exercises"]
    ] == [
        ("Bent-Over Row", 1, None, [("normal", 70.0, 8), ("normal", 70.0, 8)]),
        ("Bench Press", 1, 90, [("warmup", 40.0, 10), ("normal", 80.0, 5)]),
    ]

    page.get_by_role("button", name="Start Pull and press").click()
    expect()(page.get_by_role("heading", name="In progress")).to_be_visible()
    expect()(page.get_by_label("Workout name")).to_have_value("Pull and press")
    # The planned sets, with the targets beside them.
    expect()(page.get_by_label("Weight (kg), Bench Press, set 2")).to_have_value("80")
    expect()(page.get_by_label("Reps, Bent-Over Row, set 2")).to_have_value("8")
    expect()(exercise_block(page, "Bench Press").locator(".target")).to_contain_text(
        "40 kg × 10 (Warm-up), 80 kg × 5 · Rest 1:30"
    )
    expect()(page.get_by_text("Superset 1")).to_have_count(2)
    tick(page, "Bent-Over Row", 1)
    tick(page, "Bench Press", 1)
    tick(page, "Bent-Over Row", 2)
    fill_set(page, "Bench Press", 2, "82.5", "5")
    tick(page, "Bench Press", 2)
    wait_until_saved(page)
    page.get_by_role("button", name="Finish").click()
    expect()(page.get_by_role("heading", name="Workout complete")).to_be_visible()
    wait_until_saved(page)

    [workout] = account.items(web_server, "/workouts", size=100)
    assert workout["status"] == "finished"
    assert workout["routine_id"] == routine["id"]
    assert [
        (
            e["exercise"]["name"],
            e["superset"],
            [(s["set_type"], s["weight_kg"], s["reps"], s["completed"]) for s in e["sets"]],
        )
        for e in workout["exercises"]
    ] == [
        ("Bent-Over Row", 1, [("normal", 70.0, 8, True), ("normal", 70.0, 8, True)]),
        ("Bench Press", 1, [("warmup", 40.0, 10, True), ("normal", 82.5, 5, True)]),
    ]


def test_save_a_workout_as_a_routine_file_it_and_read_it_offline(
    context: Any, signal: Signal
) -> None:
    web_server = signal.server
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    account = new_account()
    sign_up(page, web_server, account)
    page.get_by_role("button", name="Start an empty workout").click()
    add_exercise(page, "Back Squat")
    fill_set(page, "Back Squat", 1, "100", "5")
    tick(page, "Back Squat", 1)
    page.get_by_role("button", name="Finish").click()
    expect()(page.get_by_role("heading", name="Workout complete")).to_be_visible()
    wait_until_saved(page)
    [workout] = account.items(web_server, "/workouts", size=100)

    page.goto(f"{web_server.url}/#/history/{workout['id']}")
    page.get_by_role("button", name="Save as routine").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Routine name").fill("Squat day")
    dialog.get_by_role("button", name="Save").click()
    expect()(page.get_by_text("Saved as a routine.")).to_be_visible()
    [routine] = account.items(web_server, "/routines", size=100)
    assert routine["name"] == "Squat day"
    assert [
        (e["exercise"]["name"], [(s["weight_kg"], s["reps"]) for s in e["sets"]])
        for e in routine["exercises"]
    ] == [("Back Squat", [(100.0, 5)])]

    # Folders: create one, move the routine into it, rename it, delete it (the routine stays).
    page.get_by_role("link", name="Routines", exact=True).click()
    page.get_by_role("button", name="New folder").click()
    page.get_by_role("dialog").get_by_label("Folder name").fill("Legs")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect()(page.get_by_role("heading", name="Legs")).to_be_visible()
    menu = open_menu(page, "Squat day")
    menu.get_by_label("Move to folder").select_option(label="Legs")
    menu.get_by_role("button", name="Move to folder").click()
    expect()(
        page.get_by_role("region", name="Legs").get_by_role("link", name="Squat day")
    ).to_be_visible()
    [folder] = account.items(web_server, "/routine-folders")
    assert account.items(web_server, "/routines", size=100)[0]["folder_id"] == folder["id"]
    page.get_by_role("button", name="Folder: Legs").click()
    page.get_by_role("dialog").get_by_label("Folder name").fill("Lower body")
    page.get_by_role("dialog").get_by_role("button", name="Rename folder").click()
    expect()(page.get_by_role("heading", name="Lower body")).to_be_visible()
    assert [f["name"] for f in account.items(web_server, "/routine-folders")] == ["Lower body"]

    # Offline, the routines read from the device; starting one waits for a connection.
    if cookie_sessions(web_server):
        signal.go_offline(context)
        page.reload()
        expect()(page.get_by_role("link", name="Squat day")).to_be_visible()
        expect()(page.get_by_text("Offline: your routines can be read")).to_be_visible()
        expect()(page.get_by_role("button", name="Start Squat day")).to_be_disabled()
        # Back online, the screen follows without a reload.
        signal.go_online(context)
        expect()(page.get_by_role("button", name="Start Squat day")).to_be_enabled()

    page.get_by_role("button", name="Folder: Lower body").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete folder").click()
    expect()(page.get_by_role("heading", name="Lower body")).to_have_count(0)
    expect()(page.get_by_role("link", name="Squat day")).to_be_visible()
    assert account.items(web_server, "/routine-folders") == []
    assert account.items(web_server, "/routines", size=100)[0]["folder_id"] is None

    open_menu(page, "Squat day").get_by_role("button", name="Delete routine").click()
    expect()(page.get_by_role("link", name="Squat day")).to_have_count(0)
    assert account.items(web_server, "/routines", size=100) == []
    # The workout it was made from stays.
    assert [w["id"] for w in account.items(web_server, "/workouts", size=100)] == [workout["id"]]


def test_log_body_weight_see_it_listed_and_charted_then_delete_it(
    context: Any, web_server: LiveServer
) -> None:
    page = context.new_page()
    account = new_account()
    sign_up(page, web_server, account)
    page.get_by_role("link", name="Progress").click()
    page.get_by_role("link", name="Body weight").click()
    expect()(page.get_by_role("heading", name="Body weight", exact=True)).to_be_visible()

    today = date.today()
    yesterday = today - timedelta(days=1)
    page.get_by_label("Date").fill(yesterday.isoformat())
    page.get_by_role("textbox", name="Body weight (kg)").fill("81.2")
    page.get_by_role("button", name="Log weight").click()
    entries = page.get_by_role("list", name="Recent entries").get_by_role("listitem")
    expect()(entries).to_have_count(1)
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_role("textbox", name="Body weight (kg)").fill("80,5")
    page.get_by_role("button", name="Log weight").click()
    expect()(entries).to_have_count(2)
    expect()(entries.first).to_contain_text("80.5 kg")
    expect()(entries.nth(1)).to_contain_text("81.2 kg")
    # The chart, oldest first, carries its data as its accessible name.
    chart = page.get_by_role("img", name="Body weight (kg)")
    expect()(chart).to_have_attribute(
        "aria-label", re.compile(r"^Body weight \(kg\): .+ 81\.2, .+ 80\.5$")
    )
    expect()(page.locator(".chart-dot")).to_have_count(2)

    api = account.api(web_server)
    try:
        stored = api.get("/body-measurements").json()["items"]
        assert [(e["date"], e["weight_kg"]) for e in stored] == [
            (today.isoformat(), 80.5),
            (yesterday.isoformat(), 81.2),
        ]
        # Another measurement of the day stays when the weight changes.
        answer = api.put(
            f"/body-measurements/{today.isoformat()}", json={"weight_kg": 80.5, "waist": 84}
        )
        answer.raise_for_status()
    finally:
        api.close()
    page.reload()
    page.get_by_role("textbox", name="Body weight (kg)").fill("80.1")
    page.get_by_role("button", name="Log weight").click()
    expect()(entries.first).to_contain_text("80.1 kg")

    entries.nth(1).get_by_role("button").click()
    expect()(entries).to_have_count(1)
    page.get_by_role("link", name="Home").click()
    expect()(page.get_by_role("link").filter(has_text="Latest: 80.1 kg")).to_be_visible()

    api = account.api(web_server)
    try:
        stored = api.get("/body-measurements").json()["items"]
        assert [(e["date"], e["weight_kg"], e["waist"]) for e in stored] == [
            (today.isoformat(), 80.1, 84.0)
        ]
    finally:
        api.close()
