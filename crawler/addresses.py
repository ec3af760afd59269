"""Which addresses a source may reach: its own hosts, and any other host only at a public address.

A watched site must not steer the crawler into the private network (a redirect, a meta refresh or a
link to 127.0.0.1, 10.x, 169.254.169.254, [::1]...): the answer would be stored and published. A
source's own hosts (those of its start_urls and its `allowed_hosts`) are the operator's choice and
are always reached; any other host is reached only when every address it resolves to is public.
The rules are plain functions here; the Scrapy side (`middlewares.AddressGuard`,
`resolver.GuardedResolver`) and `discover.fetch` apply them, the resolver on the address actually
connected to, so DNS rebinding does not get around them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "AddressRefused",
    "address_kind",
    "host_of",
    "hosts_of",
    "is_public",
    "literal_refusal",
    "note_refused_at_connect",
    "own_hosts",
    "parse_hosts",
    "proxy_hosts",
    "refused_at_connect",
    "refusal",
]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# host -> why: what the resolver refused at connect time in this process, so the request's
# failure is reported (and not retried) as a refusal rather than as "DNS lookup failed".
_REFUSED_AT_CONNECT: dict[str, str] = {}


class AddressRefused(OSError):
    """A request to a non-public address of a host that is not the source's own; the message says why.

    An OSError so urllib reports it as the reason of its URLError (discover.fetch)."""


def _embedded(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, 6to4, NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_kind(address: str) -> str | None:
    """None for a public address, else what it is ("loopback", "private", ...), for messages."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is no part of it
    except ValueError:
        return "unparseable"
    ip = _embedded(ip) or ip
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),  # is_global says yes to some multicast ranges
        ("unique-local", isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.ip_network("fc00::/7")),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
    )
    for kind, hit in checks:
        if hit:
            return kind
    return None if ip.is_global else "non-public"


def is_public(address: str) -> bool:
    """True only for a globally routable unicast address (IPv4-mapped IPv6 judged as its IPv4)."""
    return address_kind(address) is None


def host_of(url: str) -> str:
    """The URL's host as compared with own hosts: lower case, no port, no trailing dot."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def own_hosts(source: dict[str, Any]) -> frozenset[str]:
    """The hosts a source always reaches: those of its start_urls, and its allowed_hosts."""
    hosts = {host_of(u) for u in source.get("start_urls") or ()}
    hosts.update(h.rstrip(".").lower() for h in source.get("allowed_hosts") or ())
    return frozenset(h for h in hosts if h)


def parse_hosts(value: Any) -> tuple[str, ...]:
    """A source's `allowed_hosts`: bare host names or IP addresses (no scheme, port or path), in
    the form compared with URLs' hosts. Raises ValueError saying what is wrong."""
    if not isinstance(value, list):
        raise ValueError('must be a list of host names, e.g. ["cdn.example.com"]')
    out = []
    for h in value:
        bare = h.strip().strip("[]").rstrip(".").lower() if isinstance(h, str) else ""
        if not re.fullmatch(r"[a-z0-9_.:-]+", bare) or bare.count(":") == 1:
            raise ValueError(f"{h!r} is not a host name: write the host alone, without scheme, port or path")
        out.append(bare)
    return tuple(out)


def proxy_hosts() -> frozenset[str]:
    """The hosts of the proxies set in the environment (http_proxy ...): the operator's choice, so
    connecting to them is never refused (the target's address is still checked first)."""
    from urllib.request import getproxies

    return frozenset(
        h for url in getproxies().values() if (h := host_of(url if "://" in url else f"//{url}"))
    )


def refusal(host: str, address: str) -> str | None:
    """Why reaching `host` at `address` is refused, or None when the address is public."""
    kind = address_kind(address)
    if kind is None:
        return None
    if host.strip("[]") == address:
        return f"{host} is a {kind} address"
    return f"{host} resolves to {address}, a {kind} address"


def literal_refusal(host: str) -> str | None:
    """For a host written as an IP address: why it is refused (None if public); None for names."""
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        return None
    return refusal(host, bare)


def note_refused_at_connect(host: str, reason: str) -> None:
    """The resolver refused this host's answer (kept for this process: see `refused_at_connect`)."""
    _REFUSED_AT_CONNECT[host.rstrip(".").lower()] = reason


def refused_at_connect(host: str) -> str | None:
    """Why the resolver refused this host in this process, if it did."""
    return _REFUSED_AT_CONNECT.get(host.rstrip(".").lower())


def hosts_of(sources: Iterable[dict[str, Any]]) -> list[str]:
    """Every source's own hosts together: what the process's resolver lets resolve to anything."""
    out: set[str] = set()
    for source in sources:
        out |= own_hosts(source)
    return sorted(out)
