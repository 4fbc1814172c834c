"""Media behind an ``http(s)://`` URL (see :mod:`airflow_provider_social.core.sources`).

Sized with ``HEAD`` (``Content-Length``) and read with a streamed ``GET`` per attempt, from an offset with ``Range``
(a server that ignores it is read past the offset); without a size up front the body is spooled to disk once.
Requests go through a shared :class:`~airflow_provider_social.core.http.Transport`'s pooled session and timeouts
unless the caller gives its own. A URL is shown without its query string or user info, and those are registered as
secrets (a signed URL's signature is a credential).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.media_checks import CHUNK_SIZE
from airflow_provider_social.core.source_base import MediaSource, spool

if TYPE_CHECKING:
    import requests


class HttpSource(MediaSource):
    """An ``http(s)://`` URL: each :meth:`open` is a new streamed GET (``Range`` from an offset; a server that
    ignores it is read past the offset)."""

    def __init__(self, url: str, size: int, *, session: requests.Session, timeout: Any) -> None:
        super().__init__(url_name(url), safe_url(url), size)
        self.url = url
        self._session = session
        self._timeout = timeout

    def open(self, offset: int = 0) -> IO[bytes]:
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        response = self._session.get(self.url, stream=True, timeout=self._timeout, headers=headers)
        if response.status_code not in (200, 206):
            response.close()
            raise OSError(f"{self.label} answered HTTP {response.status_code}")
        reader = _ResponseReader(response)
        if offset and response.status_code == 200:
            _skip(reader, offset)
        return reader  # type: ignore[return-value]


def http_source(url: str, *, field: str, service: str, limit: int | None, what: str, operation: str,
                session: requests.Session | None, timeout: Any) -> MediaSource:
    """An http(s) URL as a checked source: sized by ``HEAD``, else spooled to disk once (stopping at ``limit``);
    an unreachable URL or an error status is an input error naming ``field`` and the URL without its query.

    :param url: the URL (its query, long query values and password are registered as secrets).
    :param field: the argument named in errors.
    :param service: the service named in errors.
    :param limit: the service's size limit, checked while spooling.
    :param what: the kind of media named in the size error.
    :param operation: the operation named in the size error.
    :param session: the session to use; None: the shared transport's.
    :param timeout: connect and read timeouts; None: the shared transport's.
    """
    import requests

    if session is None or timeout is None:
        transport = _shared_transport()
        session, timeout = session or transport.session, timeout or transport.timeout
    hide_url_secrets(url)
    shown = safe_url(url)
    try:
        head = session.head(url, allow_redirects=True, timeout=timeout, headers={"Accept-Encoding": "identity"})
        head.close()
    except requests.RequestException as exc:
        raise input_error(field, f"{shown} could not be read ({type(exc).__name__})", service=service) from None
    if head.status_code >= 400 and head.status_code not in (405, 501):  # some servers refuse HEAD only
        raise input_error(field, f"{shown} answered HTTP {head.status_code}", service=service)
    length = head.headers.get("Content-Length") if head.ok else None
    if length is not None and length.isdigit() and not head.headers.get("Content-Encoding"):
        return HttpSource(url, int(length), session=session, timeout=timeout)
    # No size up front: spool the body to disk once (stopping at the limit); retries read the copy.
    try:
        response = session.get(url, stream=True, timeout=timeout)
    except requests.RequestException as exc:
        raise input_error(field, f"{shown} could not be read ({type(exc).__name__})", service=service) from None
    with response:
        if not response.ok:
            raise input_error(field, f"{shown} answered HTTP {response.status_code}", service=service)
        return spool(_ResponseReader(response), name=url_name(url), label=shown, limit=limit, field=field,
                     what=what, service=service, operation=operation)


def _shared_transport() -> Any:
    global _TRANSPORT
    if _TRANSPORT is None:
        from airflow_provider_social.core.http import Transport

        _TRANSPORT = Transport(service="media source")
    return _TRANSPORT


_TRANSPORT: Any = None


def hide_url_secrets(url: str) -> None:
    """Register a source URL's query string, its long query values and its user info password as secrets: a signed
    URL's signature is a credential, and the HTTP stack logs request paths with their query at DEBUG."""
    from airflow_provider_social.core.masking import install_url_log_filter, register_secret

    install_url_log_filter()
    parts = urlsplit(url)
    register_secret(parts.query, "source URL query")
    for value in parts.query.split("&"):
        secret = unquote(value.partition("=")[2])
        if len(secret) >= 16:
            register_secret(secret, "source URL query value")
            register_secret(value.partition("=")[2], "source URL query value")
    register_secret(parts.password, "source URL password")


def safe_url(url: str) -> str:
    """``url`` without user info, query or fragment: what errors and logs may show of a (maybe signed) URL."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def url_name(url: str) -> str:
    """The last part of a URL's path, decoded, or ``blob``."""
    return Path(unquote(urlsplit(url).path)).name or "blob"


def _skip(reader: Any, count: int) -> None:
    while count > 0:
        block = reader.read(min(CHUNK_SIZE, count))
        if not block:
            raise OSError("the source ended before the requested offset")
        count -= len(block)


class _ResponseReader:
    """A streamed ``requests`` response as a binary reader; closing it releases the connection."""

    def __init__(self, response: requests.Response) -> None:
        self._response = response

    def read(self, size: int = -1) -> bytes:
        return self._response.raw.read(None if size is None or size < 0 else size, decode_content=True) or b""

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> _ResponseReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["HttpSource", "hide_url_secrets", "http_source", "safe_url", "url_name"]
