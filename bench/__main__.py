"""Every benchmark in turn: `uv run python -m bench` (or `make bench`)."""

from bench import portability, routines, stats, sync, workouts

for name, module in (
    ("workouts", workouts),
    ("stats", stats),
    ("portability", portability),
    ("routines", routines),
    ("sync", sync),
):
    print(f"\n== bench.{name} ==", flush=True)
    module.main()
