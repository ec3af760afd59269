"""[web] keys, and where unsubscribe links point: [web] base_url, else the deprecated
[alerts] base_url (with a warning), else [web] host:port."""

import logging

import pytest

from newsradar.config import ConfigError, load
from notifiers import notifier_settings
from web import public_url, web_settings


def _load(tmp_path, text: str):
    path = tmp_path / "newsradar.toml"
    path.write_text(text, encoding="utf-8")
    return load(path)


def test_web_keys_and_defaults(tmp_path):
    cfg = _load(
        tmp_path,
        '[web]\nhost = "0.0.0.0"\nport = 9000\nbase_url = "https://news.example.org/"\npage_size = 30\n',
    )
    w = web_settings(cfg)
    assert (w.host, w.port, w.base_url, w.page_size) == ("0.0.0.0", 9000, "https://news.example.org", 30)
    d = web_settings(_load(tmp_path, ""))
    assert (d.host, d.port, d.page_size, d.trusted_proxies) == ("127.0.0.1", 8080, 20, ())
    t = web_settings(_load(tmp_path, '[web]\ntrusted_proxies = ["127.0.0.1", "10.1.2.3/8", "::1"]\n'))
    assert t.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "::1/128")


@pytest.mark.parametrize(
    "line, key",
    [("port = 0", "web.port"), ('port = "80"', "web.port"), ('base_url = "ftp://x"', "web.base_url"),
     ("page_size = 0", "web.page_size"), ('host = ""', "web.host"), ("colour = 1", "web.colour"),
     ('trusted_proxies = "10.0.0.1"', "web.trusted_proxies"), ('trusted_proxies = ["proxy.lan"]', "web.trusted_proxies"),
     ('trusted_proxies = ["10.0.0.0/33"]', "web.trusted_proxies")],
)  # fmt: skip
def test_bad_web_keys_are_named(tmp_path, line, key):
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, f"[web]\n{line}\n")
    assert exc.value.key == key


def test_unsubscribe_links_follow_web_base_url(tmp_path, caplog):
    cfg = _load(
        tmp_path, '[web]\nbase_url = "https://news.example.org"\n[alerts]\nbase_url = "http://old:1"\n'
    )
    assert notifier_settings(cfg).alerts.base_url == "https://news.example.org" == public_url(cfg)
    with caplog.at_level(logging.WARNING):
        legacy = _load(tmp_path, '[alerts]\nbase_url = "http://old.example:8081"\n')
    assert "deprecated" in caplog.text and "[web] base_url" in caplog.text
    assert public_url(legacy) == "http://old.example:8081"
    legacy_with_web = _load(tmp_path, '[web]\nport = 9001\n[alerts]\nbase_url = "http://old.example:8081"\n')
    assert public_url(legacy_with_web) == "http://old.example:8081"
    assert public_url(_load(tmp_path, '[web]\nhost = "10.0.0.5"\nport = 9001\n')) == "http://10.0.0.5:9001"
    assert public_url(_load(tmp_path, "")) == "http://127.0.0.1:8080"
