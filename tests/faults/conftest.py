"""Fixtures for the fault tests: each test that stops or restarts a service starts its own
instance on a free port (see ``processes``)."""

import pytest

from .processes import RedisServer


@pytest.fixture
def private_redis():
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
