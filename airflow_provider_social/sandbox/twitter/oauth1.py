"""OAuth 1.0a as X verifies it: percent-encoding, the HMAC-SHA1 signature, the ``OAuth`` header (reference 2)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote, unquote

from starlette.requests import Request


def pct(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 bytes: only A-Z a-z 0-9 - . _ ~ stay (reference section 2)."""
    return quote(value.encode("utf-8"), safe="~")


def oauth1_signature(method: str, base_url: str, params: list[tuple[str, str]], consumer_secret: str,
                     token_secret: str) -> str:
    """base64(HMAC-SHA1(pct(cs)&pct(ts), METHOD&pct(url)&pct(sorted encoded params)))."""
    encoded = sorted((pct(k), pct(v)) for k, v in params)
    param_string = "&".join(f"{k}={v}" for k, v in encoded)
    base = "&".join((method.upper(), pct(base_url), pct(param_string)))
    key = f"{pct(consumer_secret)}&{pct(token_secret)}"
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()


def parse_oauth_header(header: str) -> dict[str, str]:
    """``OAuth k="v", ...`` -> dict; duplicate keys are refused (X does not accept them)."""
    if header[:6].lower() != "oauth ":
        raise ValueError("not an OAuth header")
    out: dict[str, str] = {}
    for part in header[6:].split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or len(value) < 2 or value[0] != '"' or value[-1] != '"':
            raise ValueError(f"malformed OAuth parameter {key!r}")
        key = unquote(key.strip())
        if key in out:
            raise ValueError(f"duplicate OAuth parameter {key!r}")
        out[key] = unquote(value[1:-1])
    return out


def request_base_url(request: Request) -> str:
    """scheme://host[:port]/path as the client addressed it, lowercase scheme and host, default ports dropped."""
    url = request.url
    scheme = url.scheme.lower()
    host = (url.hostname or "").lower()
    port = url.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    return f"{scheme}://{netloc}{url.path}"


# ---------------------------------------------------------------------------------------------- records
