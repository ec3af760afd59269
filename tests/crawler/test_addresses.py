"""The address rules that keep a watched site from steering the crawler into the private network,
and the size and host keys of the config that go with them."""

from __future__ import annotations

import pytest
from scrapy.resolver import dnscache
from twisted.internet.error import DNSLookupError

from crawler.addresses import (
    address_kind,
    is_public,
    literal_refusal,
    own_hosts,
    parse_hosts,
    refused_at_connect,
)
from crawler.crawl_settings import parse_size
from crawler.resolver import GuardedResolver
from newsradar.config import ConfigError, load


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6 is judged as its IPv4
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 carrying 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 carrying 10.0.0.1
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.1", "multicast"),  # is_global alone would let these through
        ("239.255.255.250", "multicast"),
        ("ff0e::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("not-an-ip", "unparseable"),
    ],
)
def test_non_public_addresses_are_refused(address, kind):
    assert address_kind(address) == kind
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert address_kind(address) is None
    assert is_public(address)


def test_ip_literals_are_judged_as_written_and_names_left_to_resolution():
    assert literal_refusal("[::1]") == "[::1] is a loopback address"
    assert literal_refusal("169.254.169.254") == "169.254.169.254 is a link-local address"
    assert literal_refusal("8.8.8.8") is None
    assert literal_refusal("example.com") is None


def test_own_hosts_are_the_start_urls_hosts_and_allowed_hosts():
    source = {
        "start_urls": ["http://127.0.0.1:8080/news/", "https://WWW.Example.com./x"],
        "allowed_hosts": ["cdn.example.com"],
    }
    assert own_hosts(source) == {"127.0.0.1", "www.example.com", "cdn.example.com"}
    assert "localhost" not in own_hosts(source)  # nothing is own merely because it is loopback


def test_the_resolver_refuses_a_private_answer_at_connect_time():
    """DNS rebinding: a name that once resolved to a public address now answers 127.0.0.2. The
    answer comes from the cache here (synchronously); a fresh lookup goes through the same check."""
    resolver = GuardedResolver.__new__(GuardedResolver)
    resolver.trusted = frozenset({"own.test"})
    dnscache["rebound.test"] = "127.0.0.2"
    dnscache["own.test"] = "127.0.0.2"
    dnscache["public.test"] = "93.184.216.34"
    failures: list = []
    resolver.getHostByName("rebound.test").addErrback(failures.append)
    assert failures and failures[0].check(DNSLookupError)
    assert refused_at_connect("rebound.test") == "rebound.test resolves to 127.0.0.2, a loopback address"
    got: list = []
    resolver.getHostByName("own.test").addCallback(got.append)  # a source's own host: its choice
    resolver.getHostByName("public.test").addCallback(got.append)
    assert got == ["127.0.0.2", "93.184.216.34"]


def test_sizes_take_units_and_bare_bytes():
    assert parse_size("10MB") == 10_000_000
    assert parse_size("512 KiB") == 524_288
    assert parse_size(2048) == 2048
    with pytest.raises(ValueError, match="not a size"):
        parse_size("ten megs")


def _config(tmp_path, text: str):
    path = tmp_path / "newsradar.toml"
    path.write_text(text, encoding="utf-8")
    return load(path)


def test_config_checks_max_page_size_and_allowed_hosts(tmp_path):
    source = '[[sources]]\nname = "s"\nkind = "feed"\nstart_urls = ["http://127.0.0.1/f.xml"]\n'
    cfg = _config(
        tmp_path,
        '[crawl]\nmax_page_size = "2MB"\n' + source + 'allowed_hosts = ["Cdn.Example.com", "[::1]"]\n',
    )
    assert cfg.crawl.max_page_size == 2_000_000
    assert cfg.sources[0].allowed_hosts == ("cdn.example.com", "::1")
    assert _config(tmp_path, source).crawl.max_page_size == 10_000_000  # the default
    with pytest.raises(ConfigError, match=r"crawl\.max_page_size: 'huge' is not a size"):
        _config(tmp_path, '[crawl]\nmax_page_size = "huge"\n')
    with pytest.raises(ConfigError, match=r"crawl\.max_page_size: must be at least 1kB"):
        _config(tmp_path, "[crawl]\nmax_page_size = 10\n")
    with pytest.raises(
        ConfigError, match=r"\(s\)\.allowed_hosts: 'http://cdn\.example\.com/' is not a host name"
    ):
        _config(tmp_path, source + 'allowed_hosts = ["http://cdn.example.com/"]\n')
    with pytest.raises(ConfigError, match=r"\(s\)\.allowed_hosts: must be a list of host names"):
        _config(tmp_path, source + 'allowed_hosts = "cdn.example.com"\n')
    with pytest.raises(ValueError, match="without scheme, port or path"):
        parse_hosts(["example.com:8080"])
