"""IronLog's own web app: a progressive web app served at `/`, and the API docs pages."""
