"""Adapters to outside systems (HR, gate access), an outbox for their deliveries, and simulators."""
