"""Tamper-evident audit log: an RFC 6962 transparency log of every security-relevant action."""
