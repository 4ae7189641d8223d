"""Reading sets of CIDRs as the internet sees them: the whole address space, or how many internet
addresses their union holds. Shared by the security-group rules (``_network_graph``) and the
resource-policy rules' ``aws:SourceIp`` (``_bucket_policy``), so one reading says when a set of
sources is "anyone".

Imports nothing from ``components/``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(cidrs: Iterable[Any]) -> list[IPNetwork]:
    """Parsed CIDRs (host bits ignored, as EC2 does: ``10.0.0.0/0`` is the whole space)."""
    result: list[IPNetwork] = []
    for cidr in cidrs:
        try:
            result.append(ipaddress.ip_network(str(cidr).strip(), strict=False))
        except ValueError:
            continue
    return result


def whole_spaces(networks: Sequence[IPNetwork]) -> list[str]:
    """``0.0.0.0/0`` and/or ``::/0`` when ``networks`` together cover that whole address space."""
    found = []
    # One list per version: collapse_addresses takes networks of a single version.
    v4 = [n for n in networks if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in networks if isinstance(n, ipaddress.IPv6Network)]
    if v4 and [str(n) for n in ipaddress.collapse_addresses(v4)] == ["0.0.0.0/0"]:
        found.append("0.0.0.0/0")
    if v6 and [str(n) for n in ipaddress.collapse_addresses(v6)] == ["::/0"]:
        found.append("::/0")
    return found


#: Special-purpose ranges no internet host sends from (RFC 6890): "this network", private, shared
#: (CGNAT), loopback, link-local, multicast, reserved; IPv6 unique-local, link-local, multicast.
_NOT_INTERNET: dict[int, tuple[IPNetwork, ...]] = {
    4: tuple(
        ipaddress.IPv4Network(c)
        for c in (
            "0.0.0.0/8",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "224.0.0.0/4",
            "240.0.0.0/4",
        )
    ),
    6: tuple(ipaddress.IPv6Network(c) for c in ("fc00::/7", "fe80::/10", "ff00::/8")),
}
#: The most internet addresses a source may reach and not count as the internet: a /8 of IPv4, a /32
#: of IPv6 (S3's meaning of public: an ``aws:SourceIp`` wider than those is public).
_MOST_PUBLIC = {4: (2**24, "/8"), 6: (2**96, "/32")}


def public_addresses(networks: Iterable[IPNetwork], version: int) -> int:
    """How many internet addresses of IP ``version`` the union of ``networks`` holds: CIDRs nest or
    are disjoint, so each collapsed block loses the special-purpose ranges it overlaps, whole."""
    blocks: list[IPNetwork] = (
        list(ipaddress.collapse_addresses(n for n in networks if isinstance(n, ipaddress.IPv4Network)))
        if version == 4
        else list(ipaddress.collapse_addresses(n for n in networks if isinstance(n, ipaddress.IPv6Network)))
    )
    return sum(
        block.num_addresses
        - sum(min(block.num_addresses, r.num_addresses) for r in _NOT_INTERNET[version] if _overlap(block, r))
        for block in blocks
    )


def _overlap(a: IPNetwork, b: IPNetwork) -> bool:
    return (
        a.version == b.version
        and int(a.network_address) <= int(b.broadcast_address)
        and int(b.network_address) <= int(a.broadcast_address)
    )


def internet_reach(networks: Sequence[IPNetwork]) -> list[str]:
    """What of the internet ``networks`` together let in, per address family: ``0.0.0.0/0``/``::/0``
    (the whole space, :func:`whole_spaces`), or ``"<n> public IPv4 addresses (more than a /8)"`` when
    the union reaches more internet addresses than a /8 (IPv6: a /32). Half the internet
    (``0.0.0.0/1``), all of it but one address or every other /8 is as open as ``0.0.0.0/0``: any
    attacker picks a source in it. Empty: neither family reaches that far."""
    found = whole_spaces(networks)
    for version, whole in ((4, "0.0.0.0/0"), (6, "::/0")):
        most, size = _MOST_PUBLIC[version]
        if whole not in found and (count := public_addresses(networks, version)) > most:
            found.append(f"{count} public IPv{version} addresses (more than a {size})")
    return found
