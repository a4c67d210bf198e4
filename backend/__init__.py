"""Tezuo (特作) API: qualifications, permits and on-site behaviour for special operations."""
