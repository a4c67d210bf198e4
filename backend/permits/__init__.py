"""Permits to work per GB 30871-2022: catalogue, grading, approvals, gas lock, lifecycle, SIMOPS, e-permit."""
