"""E-mail addresses and HTTPS URLs as SNS subscription endpoints, parsed rather than pattern-matched.

SNS confirms an ``email`` subscription by mail and an ``https`` one by a request to the URL, so an
endpoint that cannot receive either is a subscription stuck at "pending confirmation" (or a
``InvalidParameter`` at deploy). Each function returns why a value is rejected, or None.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final
from urllib.parse import urlsplit

_ATEXT: Final = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART: Final = re.compile(rf"^{_ATEXT}(\.{_ATEXT})*\Z")
"""RFC 5322 dot-atom: no leading, trailing or doubled dots (quoted local parts are not taken)."""
_LABEL: Final = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")
MAX_EMAIL_LENGTH: Final = 254
"""RFC 5321's limit on a forward path (the address SNS mails)."""


def hostname_problem(host: str) -> str | None:
    """Why ``host`` is not a fully qualified DNS name (IDNs in their A-label form), or None."""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return f"'{host}' is not a valid host name"
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        return f"'{host}' is not a valid host name (labels of 1-63 letters, digits or inner hyphens)"
    if len(labels) < 2:
        return f"'{host}' is not a fully qualified host name (e.g. example.com)"
    if labels[-1].isdigit():
        return f"'{host}' ends in a numeric label, which no top-level domain is"
    return None


def email_problem(address: str) -> str | None:
    """Why ``address`` is not a deliverable ``local@domain`` address, or None."""
    if len(address) > MAX_EMAIL_LENGTH:
        return f"an e-mail address has at most {MAX_EMAIL_LENGTH} characters"
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return f"'{address}' is not an e-mail address (local-part@domain)"
    if len(local) > 64:
        return f"'{address}': the part before @ has at most 64 characters"
    if not _LOCAL_PART.match(local):
        return (
            f"'{address}': the part before @ takes letters, digits and !#$%&'*+/=?^_`{{|}}~- "
            "in dot-separated words"
        )
    problem = hostname_problem(domain)
    return f"'{address}': {problem}" if problem else None


def https_url_problem(url: str) -> str | None:
    """Why ``url`` is not an absolute ``https://host[:port]/path`` URL SNS can deliver to, or None."""
    if any(character.isspace() for character in url):
        return f"'{url}' contains white space"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"'{url}' is not a URL ({error})"
    if parts.scheme != "https":
        return f"'{url}' must start with https://"
    host = parts.hostname
    if not host:
        return f"'{url}' has no host name"
    if port == 0:
        return f"'{url}': port 0 is not a port"
    if parts.fragment:
        return f"'{url}': a fragment (#...) is never sent to the server; remove it"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        problem = hostname_problem(host)
        return f"'{url}': {problem}" if problem else None
    return None
