"""Sync endpoints: phones push operations and pull changes (protocol in the `sync` package)."""
