"""Benchmarks (run against PostgreSQL): `uv run python -m bench` or a module of its own."""
