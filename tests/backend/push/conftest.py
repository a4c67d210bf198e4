from tests.backend.push.support import push_sim

__all__ = ["push_sim"]
