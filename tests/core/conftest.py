import pytest

from tests.core.scripted_server import ScriptedServer


@pytest.fixture
def scripted():
    server = ScriptedServer()
    yield server
    server.close()
