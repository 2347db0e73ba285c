"""The `ironlog` command: `serve`, `db` for migrations, `import` and `export` for big files.

Start-up is part of every command: this module and the command groups it adds import only Typer
and light modules at the top. What a command needs (the application, SQLAlchemy, uvicorn, the
services) it imports in its own body, so that `ironlog --version` and `--help` start at once
(tests/test_startup.py checks it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer
import typer.core

from ironlog import __version__
from ironlog.admin import cli as admin_cli
from ironlog.portability.choices import ExportFormat, ImportSource, WeightUnit

if TYPE_CHECKING:
    from pydantic import ValidationError
    from rich.console import Console
    from sqlalchemy.ext.asyncio import AsyncSession

    from ironlog.core.config import Settings
    from ironlog.models import User
    from ironlog.portability import service as portability_service
    from ironlog.portability.schemas import ImportReport

APP = "ironlog.main:create_app"
HELP_WIDTH = 100  # help wraps at the terminal's width, and at most this many columns


class _Argument(typer.core.TyperArgument):
    """A positional argument shown as `FILE` in the usage line (Typer writes `{file}`)."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw.upper()
        return name if self.required else f"[{name}]"


def _plain_help(command: Any) -> None:
    """Give `command` and every command under it Click's plain help, which wraps at the
    terminal's width (Rich's panels cut long option names at 80 columns), with upper-case
    argument names and no `<bool>` after flags."""
    command.rich_markup_mode = None
    command.context_settings.setdefault("max_content_width", HELP_WIDTH)
    for param in command.params:
        if isinstance(param, typer.core.TyperArgument):
            param.__class__ = _Argument
            param.metavar = param.metavar or (param.name or "").upper()
    for child in getattr(command, "commands", {}).values():
        _plain_help(child)


class _RootGroup(typer.core.TyperGroup):
    """The `ironlog` command. For every command under it (those added later too): plain help,
    and a settings error (`Settings()` refusing an `IRONLOG_*` variable) as one line per problem
    naming the variable, exit code 2, no traceback."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _plain_help(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            settings_error = _settings_error(error)
            if settings_error is None:
                raise
            _print_settings_problems(settings_error, "invalid configuration")
            raise typer.Exit(2) from None


def _settings_error(error: Exception) -> ValidationError | None:
    """`error` if it is `Settings()` refusing a variable."""
    if "pydantic" not in sys.modules:  # not loaded, so not one of its errors (e.g. `--help`)
        return None
    from pydantic import ValidationError

    if isinstance(error, ValidationError) and error.title == "Settings":
        return error
    return None


def _settings() -> Settings:
    """The settings from the environment; the root group reports a refused variable."""
    from ironlog.core.config import Settings

    return Settings()


def _print_settings_problems(error: ValidationError, summary: str) -> None:
    from ironlog.core import config_reference

    for problem in config_reference.settings_problems(error):
        typer.echo(f"ironlog: {summary}: {problem}", err=True)


app = typer.Typer(
    cls=_RootGroup, help="IronLog: a self-hostable workout tracker API.", no_args_is_help=True
)
db_app = typer.Typer(
    help="Database migrations (Alembic), backup and restore.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
sync_app = typer.Typer(help="The change feed of offline clients.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")
app.add_typer(admin_cli.app, name="users")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ironlog {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    _version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """IronLog: a self-hostable workout tracker API."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(help="Proxies whose X-Forwarded-* headers are trusted (uvicorn)."),
    ] = None,
) -> None:
    """Serve the API and the web app.

    Applies pending migrations and loads the system exercise library first.
    """
    import threading
    from contextlib import nullcontext

    import uvicorn

    from ironlog.core import metrics_folder, serving
    from ironlog.core.security import PasswordHasher
    from ironlog.web import assets as web_assets

    settings = _settings_or_exit()
    prepare_database(settings)
    # Outside production the key is generated into the data folder: once, here, so that several
    # workers starting at once cannot each generate a different one.
    _ = settings.signing_key
    gathering = metrics_folder.multiprocess_dir_for(workers) if settings.metrics_enabled else None
    with gathering or nullcontext() as folder:
        if folder:
            typer.echo(f"Metrics of every server process are gathered in {folder}.", err=True)
        # Imported once here, then the workers are forked from this process (core/serving.py)
        # with what each would otherwise make for itself, made meanwhile in threads (argon2id
        # and zlib do not hold the GIL): the password decoy hash, the web app's gzipped files.
        warm_ups = [
            threading.Thread(target=work)
            for work in (PasswordHasher(settings).make_decoy, web_assets.bundle)
        ]
        for thread in warm_ups:
            thread.start()
        serving.preload(APP)
        for thread in warm_ups:
            thread.join()
        uvicorn.run(
            APP,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=forwarded_allow_ips is not None,
            forwarded_allow_ips=forwarded_allow_ips,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=30,
            **serving.uvicorn_options(),
        )


def _settings_or_exit() -> Settings:
    """The settings, or one line per problem naming its variable and exit code 2."""
    from pydantic import ValidationError

    try:
        return _settings()
    except ValidationError as error:
        _print_settings_problems(error, "refusing to start")
        raise typer.Exit(2) from None


def prepare_database(settings: Settings) -> None:
    import asyncio

    from ironlog.core import migrations

    migrations.upgrade(settings)
    added = asyncio.run(_load_library(settings))
    typer.echo(f"System exercise library: {added} exercise(s) added.", err=True)


async def _load_library(settings: Settings) -> int:
    from ironlog.core.db import create_engine, create_sessionmaker, session_scope
    from ironlog.exercises import library

    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            return await library.load(session)
    finally:
        await engine.dispose()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from ironlog.core import migrations

    migrations.upgrade(_settings(), revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target, e.g. -1 or base.")]) -> None:
    """Revert migrations down to REVISION."""
    from ironlog.core import migrations

    migrations.downgrade(_settings(), revision)


@db_app.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    from ironlog.core import migrations

    migrations.current(_settings())


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    from ironlog.core import migrations

    migrations.check(_settings())


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="The backup file to write.")],
) -> None:
    """Back up the database to FILE, also while the server runs.

    SQLite: an online backup; PostgreSQL: pg_dump's custom format.
    """
    from ironlog.core import backup

    settings = _settings()
    try:
        backup.backup(settings, file)
    except backup.BackupError as error:
        typer.echo(f"Backup failed: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Backed up the {backup.describe(settings)} to {file}.", err=True)


@db_app.command("restore")
def db_restore(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A file from `db backup`.")
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Restore even while a server uses the database (it may then fail)."
        ),
    ] = False,
) -> None:
    """Replace the database's contents with FILE.

    Refuses while a server uses the database: stop it first. Prints what was replaced.
    PostgreSQL: one transaction, so a failed restore changes nothing.
    """
    from datetime import UTC, datetime

    from ironlog.core import backup

    settings = _settings()
    try:
        before = backup.counts(settings)
        backup.restore(settings, file, force=force)
    except backup.DatabaseInUse as error:
        typer.echo(f"Restore refused: {error}. Stop the server first, or pass --force.", err=True)
        raise typer.Exit(1) from None
    except backup.BackupError as error:
        typer.echo(f"Restore failed: {error}", err=True)
        raise typer.Exit(1) from None
    after = backup.counts(settings)
    written = datetime.fromtimestamp(file.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
    typer.echo(
        f"Restored the {backup.describe(settings)} from {file} (written {written}).\n"
        f"  before: {before or 'no IronLog data'}\n"
        f"  after:  {after or 'no IronLog data'}\n"
        "`ironlog serve` applies any newer migrations.",
        err=True,
    )


@app.command("config")
def show_config(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the reference of every setting instead.")
    ] = False,
) -> None:
    """Print the settings in effect, secrets masked.

    Computed defaults show what they resolve to (the SQLite file, the generated key's file).
    With --markdown: the reference table of every IRONLOG_ variable (the README's).
    """
    from ironlog.core import config_reference

    if markdown:
        typer.echo(config_reference.markdown_table(), nl=False)
        return
    for line in config_reference.current_values(_settings()):
        typer.echo(line)


@app.command("openapi")
def write_openapi(
    output: Annotated[
        Path | None, typer.Option(help="File to write; standard output when omitted.")
    ] = None,
) -> None:
    """Print the OpenAPI document.

    The one /openapi.json serves, without a server or a database; `make client` generates the
    typed Python client from it.
    """
    import json

    from pydantic import SecretStr

    from ironlog.core.config import Settings
    from ironlog.main import create_app

    # The document does not depend on the settings; a key spares generating one.
    settings = Settings(secret_key=SecretStr("openapi-" + "x" * 32), database_url="sqlite://")
    document = json.dumps(create_app(settings).openapi(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(document, nl=False)
    else:
        output.write_text(document, encoding="utf-8")


@app.command("import")
def import_file(
    *,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The export file.")],
    user: Annotated[str, typer.Option("--user", help="Email of the account to import into.")],
    source: Annotated[ImportSource, typer.Option(help="The file's app.")] = ImportSource.AUTO,
    unit: Annotated[
        WeightUnit, typer.Option(help="Weight unit of files that do not say theirs.")
    ] = WeightUnit.KG,
    timezone: Annotated[
        str, typer.Option(help="IANA time zone of the file's local times.")
    ] = "UTC",
    dry_run: Annotated[bool, typer.Option(help="Check and report; change nothing.")] = False,
    skip_invalid_rows: Annotated[
        bool, typer.Option(help="Import the readable rows; list the others as warnings.")
    ] = False,
) -> None:
    """Import a Strong, Hevy, FitNotes or IronLog export.

    Any size (no upload limit), in one transaction, with the same rules as
    POST /api/v1/imports. Prints the report as JSON.
    """
    import asyncio
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ironlog.core.errors import DomainError
    from ironlog.core.json import dumps
    from ironlog.portability import service as portability_service

    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(
            f"{timezone!r} is not an IANA time zone", param_hint="--timezone"
        ) from None
    options = portability_service.ImportOptions(
        source=source.value,
        unit=unit.value,
        timezone=zone,
        dry_run=dry_run,
        skip_invalid_rows=skip_invalid_rows,
    )
    try:
        with file.open("rb") as handle:
            report = asyncio.run(_import(_settings(), handle, user, options))
    except DomainError as error:
        typer.echo(f"Nothing imported: {error.detail}", err=True)
        for item in error.extra().get("errors", []):
            typer.echo(f"  row {item['row']}: {item['message']}", err=True)
        raise typer.Exit(1) from None
    typer.echo(dumps(report.model_dump(mode="json")).decode())


async def _import(
    settings: Settings, file: BinaryIO, email: str, options: portability_service.ImportOptions
) -> ImportReport:
    import os

    from rich.progress import Progress

    from ironlog.core.db import create_engine, create_sessionmaker, session_scope
    from ironlog.portability import service as portability_service

    engine = create_engine(settings)
    size = os.fstat(file.fileno()).st_size
    try:
        with Progress(console=_stderr_console()) as progress:
            reading = progress.add_task("Reading", total=size)
            writing = progress.add_task("Writing sets", total=None, visible=not options.dry_run)
            async with session_scope(create_sessionmaker(engine)) as session:
                account = await _account(session, email)
                return await portability_service.import_file(
                    session,
                    user=account,
                    file=file,
                    options=options,
                    parsed_rows=lambda _rows: progress.update(reading, completed=file.tell()),
                    written=lambda done, total: progress.update(
                        writing, completed=done, total=total
                    ),
                )
    finally:
        await engine.dispose()


@app.command("export")
def export_account(
    user: Annotated[str, typer.Option("--user", help="Email of the account to export.")],
    export_format: Annotated[
        ExportFormat,
        typer.Option("--format", help="json: the whole account; csv: one row per set."),
    ] = ExportFormat.JSON,
    output: Annotated[
        Path | None, typer.Option(help="File to write; standard output when omitted.")
    ] = None,
) -> None:
    """Export an account's exercises and workouts.

    The same file as GET /api/v1/export.
    """
    import asyncio

    from ironlog.core.errors import DomainError

    try:
        asyncio.run(_export(_settings(), user, export_format, output))
    except DomainError as error:
        typer.echo(error.detail, err=True)
        raise typer.Exit(1) from None


async def _export(
    settings: Settings, email: str, export_format: ExportFormat, output: Path | None
) -> None:
    from ironlog.core.db import (
        create_engine,
        create_sessionmaker,
        create_snapshot_sessionmaker,
        private_file,
        session_scope,
    )
    from ironlog.portability import export as portability_export

    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with session_scope(sessionmaker) as session:
            account = portability_export.user_summary(await _account(session, email))
        # The export holds the whole account: owner-only, like the backups.
        target = private_file(output) if output else sys.stdout.buffer
        try:
            async for chunk in portability_export.stream(
                create_snapshot_sessionmaker(engine), user=account, export_format=export_format
            ):
                target.write(chunk)
        finally:
            if output:
                target.close()
    finally:
        await engine.dispose()


async def _account(session: AsyncSession, email: str) -> User:
    from ironlog.auth import repository as auth_repository
    from ironlog.core.errors import NotFound

    account = await auth_repository.get_user_by_email(session, email.strip().lower())
    if account is None:
        raise NotFound(f"No account has the email {email!r}.")
    return account


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


@sync_app.command("cleanup")
def sync_cleanup() -> None:
    """Delete the change feed's expired deletions.

    Those older than IRONLOG_SYNC_RETENTION_DAYS (plus a day), as each server process does every
    IRONLOG_SYNC_CLEANUP_INTERVAL_SECONDS; safe while servers run.
    """
    import asyncio

    deleted = asyncio.run(_sync_cleanup(_settings()))
    typer.echo(f"{deleted} expired deletion(s) removed from the sync feed.")


async def _sync_cleanup(settings: Settings) -> int:
    from ironlog.core.db import create_engine, create_sessionmaker
    from ironlog.sync import cleanup

    engine = create_engine(settings)
    try:
        return await cleanup.run_once(create_sessionmaker(engine), settings)
    finally:
        await engine.dispose()
