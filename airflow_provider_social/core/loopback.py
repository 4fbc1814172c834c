"""The one definition of "loopback", used by the CLI's redirect listener, the sandbox's listen address and the
sandbox's authorization server (RFC 8252 section 7.3 loopback redirect URIs). Standard library only."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

# RFC 8252 section 7.3 names the literals 127.0.0.1 and [::1]; "localhost" is allowed but NOT RECOMMENDED (8.3).
LOOPBACK_LITERALS = ("127.0.0.1", "::1", "localhost")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and any loopback IP address (127.0.0.0/8, ::1), with or without IPv6 brackets."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_http(uri: str, *, literals_only: bool = False) -> bool:
    """True for an ``http://`` URI on a loopback host, without user info or fragment (RFC 8252 section 7.3).

    ``literals_only`` accepts only 127.0.0.1, [::1] and localhost (the sandbox's stricter reading: RFC 8252 names
    those; whether a real server takes 127.0.0.2 is unconfirmed); without it any loopback address counts (the
    client's tolerant reading: the CLI serves whichever loopback redirect URI the user registered).
    """
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    host = parts.hostname or ""
    if parts.scheme != "http" or parts.fragment or parts.username is not None or parts.password is not None:
        return False
    return host in LOOPBACK_LITERALS if literals_only else is_loopback(host)
