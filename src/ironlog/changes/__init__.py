"""Recording changes for the sync feed, below the domains that write (docs/sync.md): each write
path calls `record.next_seq` or `record.record_delete`; `ranges` names a run of changes for the
loaders the feed calls back."""
