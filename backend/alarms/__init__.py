"""Alarms: ingest from edge nodes, wearables and SOS; tiered routing; acknowledgement, escalation, KPI."""
