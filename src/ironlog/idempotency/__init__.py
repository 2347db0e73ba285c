"""Safe retries for POST: the `Idempotency-Key` header (docs/workouts.md)."""
