"""The fixture archive served once per module: the tests only read it (or write their own rows)."""

import pytest

from tests.fakes.smtp import SMTPServer
from tests.notifiers.helpers import SECRET
from tests.web.helpers import fill, serve, write_config

ADMIN_PASSWORD = "correct horse"
TELEGRAM = '\n[telegram]\nbot_username = "newsradar_test_bot"\n'  # the follow form's deep link


@pytest.fixture(scope="module")
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def archive(tmp_path_factory, smtp):
    mp = pytest.MonkeyPatch()
    mp.setenv("NEWSRADAR_SECRET_KEY", SECRET)
    mp.delenv("NEWSRADAR_CONFIG", raising=False)
    folder = tmp_path_factory.mktemp("web")
    config = write_config(folder, smtp_port=smtp.port, extra=TELEGRAM)
    ids = fill(config)
    served = serve(config, admin_password=ADMIN_PASSWORD)
    served.ids = ids
    yield served
    served.stop()
    mp.undo()


@pytest.fixture
def client(archive):
    with archive.client() as c:
        yield c
