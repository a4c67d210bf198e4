"""Effectiveness analytics: the KPI families with drill-down, calibration records and exports."""
