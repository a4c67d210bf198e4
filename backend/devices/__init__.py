"""Devices that talk to the API without a person: edge nodes and wearables, their tokens and status."""
