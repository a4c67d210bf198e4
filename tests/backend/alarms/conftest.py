from tests.backend.alarms.plant import plant
from tests.backend.alarms.served import served
from tests.backend.push.support import push_sim

__all__ = ["plant", "push_sim", "served"]
