"""The administrator's journeys in a real Chromium, on a server with invite-only registration:
an invite link brings a friend in; a reset link lets a user choose a new password."""

import os
import re
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import _postgres_url
from tests.live_server import REQUEST_TIMEOUT, TEST_ENV, LiveServer, ironlog_command, live_server
from tests.web.conftest import PASSWORD, SCREENSHOTS, Account, _admin, axe_violations, sign_in

pytestmark = pytest.mark.browser


def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


@pytest.fixture(scope="module")
def invite_server(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Account]]:
    """`ironlog serve` with IRONLOG_REGISTRATION=invite on a database of its own, and its
    administrator, created with `ironlog users create --admin` as an operator would."""
    folder = tmp_path_factory.mktemp(f"admin-web-{backend}")
    name = f"ironlog_admin_web_{secrets.token_hex(6)}"
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'ironlog.db'}"
    else:
        _admin(f'CREATE DATABASE "{name}"')
        url = _postgres_url(name)
    admin = Account(f"boss-{secrets.token_hex(4)}@example.com", PASSWORD, "Boss")
    try:
        with live_server(folder, url, env={"IRONLOG_REGISTRATION": "invite"}) as server:
            environment = {
                **{
                    key: value
                    for key, value in os.environ.items()
                    if not key.startswith("IRONLOG_")
                },
                **TEST_ENV,
                "IRONLOG_DATABASE_URL": url,
                "IRONLOG_DATA_DIR": str(folder / "data"),
            }
            created = subprocess.run(  # noqa: S603 - the project's own command
                [
                    *ironlog_command(),
                    "users",
                    "create",
                    admin.email,
                    "--name",
                    admin.name,
                    "--admin",
                    "--password-stdin",
                ],
                input=f"{admin.password}\n",
                env=environment,
                capture_output=True,
                text=True,
                check=False,
            )
            assert created.returncode == 0, created.stderr
            yield server, admin
    finally:
        if backend != "sqlite":
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _check_screen(page: Any, name: str) -> None:
    """No serious or critical accessibility violation; a screenshot to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"admin-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def _link(page: Any) -> str:
    value: str = page.get_by_label(re.compile("Invite link|Password reset link")).input_value()
    return value


def test_invite_a_friend_then_give_them_a_reset_link(
    context: Any, invite_server: tuple[LiveServer, Account], tmp_path: Path
) -> None:
    server, admin = invite_server
    page = context.new_page()

    # Registration is by invite: the sign-in screen offers no sign-up.
    page.goto(f"{server.url}/#/signin")
    expect()(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect()(page.get_by_role("link", name="Create account")).to_have_count(0)

    sign_in(page, server, admin)
    page.goto(f"{server.url}/#/settings")
    page.get_by_role("link", name="Manage users").click()
    expect()(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_role("button", name="Create invite link").click()
    invite_url = _link(page)
    _check_screen(page, "users")
    assert re.fullmatch(rf"{re.escape(server.url)}/#/signup\?invite=[\w-]+", invite_url)
    page.goto(f"{server.url}/#/settings")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect()(page.get_by_role("button", name="Sign in")).to_be_visible()

    friend = Account(f"friend-{secrets.token_hex(4)}@example.com", "friend horse 1", "Friend")
    page.goto(invite_url)
    expect()(page.get_by_text("You were invited")).to_be_visible()
    page.get_by_label("Name").fill(friend.name)
    page.get_by_label("Email").fill(friend.email)
    page.get_by_label("Password").fill(friend.password)
    page.get_by_role("button", name="Create account").click()
    expect()(page.get_by_role("heading", name="Home")).to_be_visible()
    me = friend.api(server).get("/users/me").json()
    assert me["email"] == friend.email and me["is_admin"] is False
    page.goto(f"{server.url}/#/settings")
    expect()(page.get_by_role("link", name="Manage users")).to_have_count(0)
    page.get_by_role("button", name="Sign out", exact=True).click()

    # The invite was used up.
    again = httpx.post(
        f"{server.url}/api/v1/auth/register",
        json={
            "email": "late@example.com",
            "password": "late horse",
            "name": "Late",
            "invite": invite_url.split("invite=")[1],
        },
        timeout=REQUEST_TIMEOUT,
    )
    assert again.status_code == 403 and again.json()["code"] == "invite_invalid"

    # The friend forgot the password: the administrator makes a reset link.
    sign_in(page, server, admin)
    page.goto(f"{server.url}/#/users")
    page.get_by_role("button", name=f"Reset link {friend.email}").click()
    reset_url = _link(page)
    assert reset_url.startswith(f"{server.url}/#/reset-password?token=")
    page.goto(f"{server.url}/#/settings")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect()(page.get_by_role("button", name="Sign in")).to_be_visible()

    page.goto(reset_url)
    expect()(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    _check_screen(page, "reset-password")
    page.get_by_label("New password").fill("brand new horse")
    page.get_by_role("button", name="Set password").click()
    expect()(page.get_by_text("Password set.")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    sign_in(page, server, Account(friend.email, "brand new horse", friend.name))
    old = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"email": friend.email, "password": friend.password},
        timeout=REQUEST_TIMEOUT,
    )
    assert old.status_code == 401

    # Disabled from the users screen: the friend cannot sign in any more.
    page.goto(f"{server.url}/#/settings")
    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in(page, server, admin)
    page.goto(f"{server.url}/#/users")
    page.get_by_role("button", name=f"Disable {friend.email}").click()
    expect()(page.get_by_role("button", name=f"Enable {friend.email}")).to_be_visible()
    refused = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"email": friend.email, "password": "brand new horse"},
        timeout=REQUEST_TIMEOUT,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"
