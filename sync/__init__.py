"""Tezuo sync protocol: operations, changes and merge rules (framework-free, see docs/sync.md)."""
