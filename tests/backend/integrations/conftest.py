"""The integration tests use the qualification fixtures (simulators, scheduler)."""

from tests.backend.workers.conftest import make_scheduler, settings, sim

__all__ = ["make_scheduler", "settings", "sim"]
