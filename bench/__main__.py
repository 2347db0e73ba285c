"""Every benchmark in turn: `uv run python -m bench` (or `make bench`)."""

from bench import portability, routines, stats, workouts

for name, module in (
    ("workouts", workouts),
    ("stats", stats),
    ("portability", portability),
    ("routines", routines),
):
    print(f"\n== bench.{name} ==", flush=True)
    module.main()
