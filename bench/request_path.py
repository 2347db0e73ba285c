"""Where a workout request's time goes: `uv run python -m bench.request_path [--route get]`.

Builds the app in-process on a throwaway PostgreSQL database (production settings: metrics on,
access log at WARNING), seeds 30 workouts of 6 exercises x 4 sets, then calls the ASGI
application directly (no client, no server) for `--requests` requests of one route under
cProfile, and prints the time per request and the functions that took the most of it, by own
time and by cumulative time. Routes: `get` (one workout), `list` (a page of 20), `create`
(a 6 x 4 tree).
"""

import argparse
import asyncio
import cProfile
import io
import pstats

from bench.common import throwaway_database
from bench.in_process import ROUTES, asgi_scope, drive_asgi, production_app, request_for, seed
from bench.workouts import system_exercise_ids, workout_body


async def profile(
    url: str, route: str, requests: int, top: int, create_body: dict[str, object]
) -> None:
    app = production_app(url)
    async with app.router.lifespan_context(app):
        seeded = await seed(app, create_body)
        method, path, body = request_for(route, seeded, create_body)
        scope = asgi_scope(method, path, seeded.token, json_body=bool(body))
        await drive_asgi(app, scope, body, 200)  # warm up
        plain = await drive_asgi(app, scope, body, requests)
        profiler = cProfile.Profile()
        profiler.enable()
        profiled = await drive_asgi(app, scope, body, requests)
        profiler.disable()
    print(
        f"{method} {path}: {plain[0] * 1e6:.0f} us per request, {plain[1] * 1e6:.0f} us of CPU"
        f" ({profiled[0] * 1e6:.0f} us profiled)"
    )
    stats = pstats.Stats(profiler)
    by_package: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        package = _package(filename)
        by_package[package] = by_package.get(package, 0.0) + row[2]
    total = sum(by_package.values())
    print("own time by package:")
    for package, seconds in sorted(by_package.items(), key=lambda item: -item[1])[:12]:
        print(f"  {package:<28} {seconds / total:6.1%}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        print(out.getvalue())


def _package(filename: str) -> str:
    """`fastapi`, `ironlog.core`, `asyncio`...: where a function's own time is spent."""
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/", maxsplit=1)[0]
    if "/ironlog/" in filename:
        parts = filename.split("/ironlog/")[1].split("/")
        return "ironlog." + parts[0].removesuffix(".py")
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return filename.rsplit("/", 2)[-2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--route", choices=ROUTES, default="get")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with throwaway_database("ironlog_bench_path") as url:
        create_body = workout_body(system_exercise_ids(url, 6))
        asyncio.run(profile(url, args.route, args.requests, args.top, create_body))


if __name__ == "__main__":
    main()
