"""Cameras, detectors behind one interface (lazy registry), frames and the alarm clip ring buffer."""
