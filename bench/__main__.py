"""Every benchmark in turn: `uv run python -m bench` (or `make bench`)."""

from bench import exercises, portability, routines, stats, sync, workouts

for name, module in (
    ("workouts", workouts),
    ("stats", stats),
    ("portability", portability),
    ("routines", routines),
    ("sync", sync),
    ("exercises", exercises),
):
    print(f"\n== bench.{name} ==", flush=True)
    module.main()
