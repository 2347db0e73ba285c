"""Data portability: imports from other trackers' exports and IronLog's own full export."""
