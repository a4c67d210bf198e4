"""People: persons keyed by resident ID number, contractors, roles with scope, deputies (B角)."""
