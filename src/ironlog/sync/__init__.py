"""The change feed that keeps offline clients' copies in step (docs/sync.md)."""
