"""Benchmarks. Each module runs with `uv run python -m bench.<name>`; see bench/README.md."""
