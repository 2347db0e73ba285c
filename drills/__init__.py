"""Reliability and security drills: schema fuzzing, fault drills (docs/drills.md)."""
