"""Edge tests reuse the API fixtures (signed-in clients) of tests/backend."""

from tests.backend.conftest import app_client, client_as, org

__all__ = ["app_client", "client_as", "org"]
