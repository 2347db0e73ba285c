"""The `ironlog` command: `serve`, and `db` for migrations."""

import asyncio
from typing import Annotated

import typer
import uvicorn

from ironlog import __version__
from ironlog.core import migrations
from ironlog.core.config import Settings
from ironlog.core.db import create_engine, create_sessionmaker, session_scope
from ironlog.exercises import library

app = typer.Typer(help="IronLog: a self-hostable workout tracker API.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")


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
    """Apply pending migrations, load the system exercise library, then serve."""
    settings = Settings()
    prepare_database(settings)
    uvicorn.run(
        "ironlog.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=30,
    )


def prepare_database(settings: Settings) -> None:
    migrations.upgrade(settings)
    added = asyncio.run(_load_library(settings))
    typer.echo(f"System exercise library: {added} exercise(s) added.", err=True)


async def _load_library(settings: Settings) -> int:
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            return await library.load(session)
    finally:
        await engine.dispose()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrations.upgrade(Settings(), revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target, e.g. -1 or base.")]) -> None:
    """Revert migrations down to REVISION."""
    migrations.downgrade(Settings(), revision)


@db_app.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    migrations.current(Settings())


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    migrations.check(Settings())
