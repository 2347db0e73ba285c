"""`ironlog users`: administration on the server's own database (IRONLOG_DATABASE_URL), for the
operator at the console: no server, no sign-in. docs/administration.md describes the commands.

Like `ironlog.cli`, this module imports only Typer at the top: every command imports the
services, the database and Pydantic in its body, so that `ironlog --help` stays instant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ironlog.core.config import Settings

app = typer.Typer(
    help="Manage accounts, invites and password reset links, directly on the database.",
    short_help="Manage accounts, invites and password reset links.",
    no_args_is_help=True,
)

T = TypeVar("T")

EmailArg = Annotated[str, typer.Argument(help="The account's email.")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(
        help="Address people open IronLog at, e.g. https://lift.example.com (default: "
        "IRONLOG_PUBLIC_URL)."
    ),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"ironlog users: {message}", err=True)
    return typer.Exit(1)


def _run(work: Callable[[AsyncSession, Settings], Awaitable[T]]) -> T:
    """Run `work` in one transaction on the configured database; a domain error is one line on
    standard error and exit code 1."""
    import asyncio

    from ironlog.core.config import Settings
    from ironlog.core.db import create_engine, create_sessionmaker, session_scope
    from ironlog.core.errors import DomainError

    settings = Settings()

    async def run() -> T:
        engine = create_engine(settings)
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return await work(session, settings)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except DomainError as error:
        raise _fail(error.detail) from None


def _password(from_stdin: bool) -> str:
    """A new password: from standard input's first line, or typed twice without echo."""
    import sys

    from pydantic import TypeAdapter, ValidationError

    from ironlog.core.schemas import Password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        return TypeAdapter(Password).validate_python(password)
    except ValidationError:
        raise _fail("the password needs 8 to 128 characters.") from None


def _hash(password: str) -> str:
    """Hashed before the transaction starts (SQLite's write lock must not wait for argon2id)."""
    import asyncio

    from ironlog.core.config import Settings
    from ironlog.core.security import PasswordHasher

    return asyncio.run(PasswordHasher(Settings()).hash(password))


def _base_url(base_url: str | None, settings: Settings) -> str:
    base = base_url or settings.public_url
    if not base:
        typer.echo(
            "(no IRONLOG_PUBLIC_URL or --base-url: put your server's address before the link)",
            err=True,
        )
    return base or ""


@app.command("list", short_help="List every account with its role and state.")
def list_users() -> None:
    """List every account: email, name, role, state and creation date."""
    from ironlog.admin import service
    from ironlog.core.pagination import PageRequest

    async def work(session: AsyncSession, _settings: Settings) -> list[list[str]]:
        rows: list[list[str]] = []
        page = 1
        while True:
            found = await service.list_users(session, page=PageRequest(page=page, size=100))
            for user in found.items:
                state = f"disabled {user.disabled_at:%Y-%m-%d}" if user.disabled_at else "active"
                role = "admin" if user.is_admin else "user"
                created = f"{user.created_at:%Y-%m-%d}"
                rows.append([user.email, user.name, role, state, created])
            if page >= found.pages:
                return rows
            page += 1

    rows = _run(work)
    header = ["EMAIL", "NAME", "ROLE", "STATE", "CREATED"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    typer.echo(f"{len(rows)} account(s)")


@app.command("create", short_help="Create an account with a password.")
def create_user(
    email: EmailArg,
    name: Annotated[
        str | None, typer.Option(help="Display name (default: the email's name).")
    ] = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="Make the account an administrator.")
    ] = False,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account with a password, whatever IRONLOG_REGISTRATION says."""
    from pydantic import TypeAdapter, ValidationError

    from ironlog.admin import service
    from ironlog.core.schemas import Name

    display = (name or email.split("@", 1)[0]).strip()
    try:
        display = TypeAdapter(Name).validate_python(display)
    except ValidationError:
        raise _fail("the name needs 1 to 100 characters.") from None
    password_hash = _hash(_password(password_stdin))

    async def work(session: AsyncSession, _settings: Settings) -> bool:
        user = await service.create_user(
            session, email=email, name=display, password_hash=password_hash, is_admin=admin
        )
        return user.is_admin

    made_admin = _run(work)
    typer.echo(f"Created {email.strip().lower()}" + (" (administrator)." if made_admin else "."))


@app.command("set-password")
def set_password(email: EmailArg, password_stdin: PasswordStdin = False) -> None:
    """Set an account's password and end all its sessions."""
    from ironlog.admin import service

    password_hash = _hash(_password(password_stdin))

    async def work(session: AsyncSession, _settings: Settings) -> None:
        user = await service.find_user(session, email)
        await service.set_password(session, user=user, password_hash=password_hash)

    _run(work)
    typer.echo("Password set; every session of the account has ended.")


@app.command("disable", short_help="Disable an account and end its sessions.")
def disable(email: EmailArg) -> None:
    """Disable an account: it cannot sign in, and all its sessions end now."""
    from ironlog.admin import service

    async def work(session: AsyncSession, _settings: Settings) -> None:
        await service.disable(session, user=await service.find_user(session, email))

    _run(work)
    typer.echo("Disabled; every session of the account has ended.")


@app.command("enable")
def enable(email: EmailArg) -> None:
    """Let a disabled account sign in again."""
    from ironlog.admin import service

    async def work(session: AsyncSession, _settings: Settings) -> None:
        await service.enable(session, user=await service.find_user(session, email))

    _run(work)
    typer.echo("Enabled.")


@app.command("delete", short_help="Delete an account and all its data.")
def delete(
    email: EmailArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an account and all its data (workouts, routines, measurements)."""
    from ironlog.admin import service

    if not yes:
        typer.confirm(f"Delete {email} and all its data?", abort=True)

    async def work(session: AsyncSession, _settings: Settings) -> None:
        await service.delete(session, user=await service.find_user(session, email))

    _run(work)
    typer.echo("Deleted.")


@app.command("promote")
def promote(email: EmailArg) -> None:
    """Make an account administrator."""
    from ironlog.admin import service

    async def work(session: AsyncSession, _settings: Settings) -> None:
        user = await service.find_user(session, email)
        await service.set_admin(session, user=user, is_admin=True)

    _run(work)
    typer.echo("Now an administrator.")


@app.command("demote", short_help="Take administration away from an account.")
def demote(email: EmailArg) -> None:
    """Take administration away from an account (never from the last enabled administrator)."""
    from ironlog.admin import service

    async def work(session: AsyncSession, _settings: Settings) -> None:
        user = await service.find_user(session, email)
        await service.set_admin(session, user=user, is_admin=False)

    _run(work)
    typer.echo("No longer an administrator.")


@app.command("invite", short_help="Make a single-use sign-up link.")
def invite(base_url: BaseUrl = None) -> None:
    """Make a single-use sign-up link (for IRONLOG_REGISTRATION=invite)."""
    from ironlog.admin import service

    async def work(session: AsyncSession, settings: Settings) -> tuple[str, str]:
        made = await service.create_invite(
            session, settings, created_by=None, base_url=_base_url(base_url, settings)
        )
        return made.url, f"{made.expires_at:%Y-%m-%d %H:%M} UTC"

    url, expires = _run(work)
    typer.echo(url)
    typer.echo(f"Single use, valid until {expires}.", err=True)


@app.command("reset-link", short_help="Make a one-time password reset link.")
def reset_link(email: EmailArg, base_url: BaseUrl = None) -> None:
    """Make a one-time link where the account's owner chooses a new password."""
    from ironlog.admin import service

    async def work(session: AsyncSession, settings: Settings) -> tuple[str, str]:
        user = await service.find_user(session, email)
        made = await service.create_reset_link(
            session, settings, user=user, base_url=_base_url(base_url, settings)
        )
        return made.url, f"{made.expires_at:%Y-%m-%d %H:%M} UTC"

    url, expires = _run(work)
    typer.echo(url)
    typer.echo(
        f"One use, valid until {expires}; an earlier link for the account no longer works.",
        err=True,
    )
