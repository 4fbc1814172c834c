"""Secret hygiene: register secrets with Airflow's masker and redact what we print ourselves.

Airflow's masker covers task logs. Exception text, XCom values and our own log lines about URLs are ours to keep
clean, so every secret we load or receive is also kept in a process-local registry that :func:`redact` applies.
"""

from __future__ import annotations

import bisect
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query/form parameter names whose values are secrets in at least one of the APIs we call.
SECRET_PARAM_NAMES = frozenset(
    {
        "access_token",
        "refresh_token",
        "token",
        "client_secret",
        "code",
        "code_verifier",
        "device_code",
        "sig",
        "signature",
        "oauth_signature",
        "oauth_token",
        "session_secret_key",
        "application_secret_key",
        "password",
        "key",
    }
)
REDACTED = "***"
_MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words

_lock = threading.Lock()
_secrets: set[str] = set()
# The same secrets, longest first (a secret that contains another is replaced whole). Replaced, never mutated, so
# redact() can read it without the lock. Not one regex of all of them: rebuilding that for every new secret made
# each registration cost as much as all before it, and a process that loads many (a long test session, a
# triggerer minting links) got quadratically slower.
_longest_first: tuple[str, ...] = ()


def register_secret(value: str | None, name: str | None = None) -> None:
    """Mask ``value`` in Airflow task logs and in every message built by this provider."""
    global _longest_first
    if not value or not isinstance(value, str) or len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = list(_longest_first)
        bisect.insort(ordered, value, key=lambda secret: -len(secret))
        _longest_first = tuple(ordered)
    try:
        from airflow.sdk.log import mask_secret

        mask_secret(value, name)
    except Exception:  # noqa: S110 - masking outside an Airflow process has nothing to register with
        pass


def forget_secrets() -> None:
    """Empty this process's registry (Airflow's masker keeps its own). For tests that must not see each other's."""
    global _longest_first
    with _lock:
        _secrets.clear()
        _longest_first = ()


_PARAM_IN_TEXT = re.compile(
    r"(?P<name>\b(?:" + "|".join(sorted(SECRET_PARAM_NAMES, key=len, reverse=True)) + r"))=(?P<value>[^&\s\"']+)",
    re.IGNORECASE,
)
# A credential after an auth scheme, not a word: "OAuth client ID" is prose, "OAuth y0_AgAAAA..." is a token. A value
# counts when it has a digit or a token character (._~+/=:-), or is too long for a word.
_AUTH_HEADER = re.compile(
    r"(?P<scheme>\b(?:Bearer|OAuth|Basic))\s+"
    r"(?=[A-Za-z0-9._~+/=:-]*[0-9._~+/=:-]|[A-Za-z]{24})[A-Za-z0-9._~+/=:-]{6,}",
    re.IGNORECASE,
)
# Signatures echoed back by an API (OK answers error 104 with "Invalid signature <sig>"): hex digests of the sizes
# MD5, SHA-1 and SHA-256 produce. A signature has no nonce, so it stays valid for an identical call.
_SIGNATURE_SHAPED = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40}|[0-9a-fA-F]{32})(?![0-9A-Za-z])")


def redact(text: str) -> str:
    """Remove registered secrets, secret query parameters, signature-shaped digests and auth header values from
    ``text``; words next to them stay ("OAuth client ID" is not a credential)."""
    if not text:
        return text
    for secret in _longest_first:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _PARAM_IN_TEXT.sub(lambda m: f"{m.group('name')}={REDACTED}", text)
    text = _SIGNATURE_SHAPED.sub(REDACTED, text)
    return _AUTH_HEADER.sub(lambda m: f"{m.group('scheme')} {REDACTED}", text)


def redact_url(url: str, *, signed: bool = False) -> str:
    """A URL safe to log: secret parameters replaced, or everything past the host for signed URLs.

    Signed upload/download links (Yandex uploader, VK upload servers) are credentials in their path, so with
    ``signed=True`` only the scheme and host are kept.
    """
    parts = urlsplit(url)
    if signed:
        return urlunsplit((parts.scheme, parts.netloc, "/" + REDACTED, "", ""))
    query = urlencode(
        [(k, REDACTED if k.lower() in SECRET_PARAM_NAMES else v) for k, v in parse_qsl(parts.query, True)],
        safe="*",
    )
    return redact(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))


class RedactingFilter:
    """A logging filter that redacts a record's message (secrets, secret query parameters, auth headers)."""

    def filter(self, record: object) -> bool:
        import logging

        assert isinstance(record, logging.LogRecord)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


#: Loggers of the HTTP stack that print request URLs (urllib3 logs "POST /path?query HTTP/1.1" at DEBUG).
URL_LOGGERS = ("urllib3.connectionpool",)
_filter_installed = False


def install_url_log_filter() -> None:
    """Redact the URLs the HTTP stack logs: APIs that take tokens in the query string (VK Cloud Vision's
    ``oauth_token``) would otherwise leak them into DEBUG logs. Idempotent."""
    global _filter_installed
    if _filter_installed:
        return
    import logging

    with _lock:
        if not _filter_installed:
            for name in URL_LOGGERS:
                logging.getLogger(name).addFilter(RedactingFilter())  # type: ignore[arg-type]
            _filter_installed = True
