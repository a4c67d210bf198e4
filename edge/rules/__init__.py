"""Behaviour rules over tracked detections and zones, each behind a persistence filter."""
