"""The fixture archive served once per module: the tests only read it (or write their own rows)."""

import pytest

from tests.fakes.smtp import SMTPServer
from tests.web.helpers import fill, serve, web_config

ADMIN_PASSWORD = "correct horse"
TELEGRAM = '\n[telegram]\nbot_username = "newsradar_test_bot"\n'  # the follow form's deep link


@pytest.fixture(scope="module")
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def archive(tmp_path_factory, smtp):
    with web_config(tmp_path_factory, "web", smtp_port=smtp.port, extra=TELEGRAM) as config:
        ids = fill(config)
        served = serve(config, admin_password=ADMIN_PASSWORD)
        served.ids = ids
        yield served
        served.stop()


@pytest.fixture
def client(archive):
    with archive.client() as c:
        yield c
