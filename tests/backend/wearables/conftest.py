from tests.backend.alarms.plant import plant

__all__ = ["plant"]
