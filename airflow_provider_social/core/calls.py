"""Declared API calls: each call a service makes is one :class:`ApiCall`, written once in the service's table.

The spec says everything the transport must know that is not data: the HTTP method, the path (or RPC method name),
which base URL, which token kind it needs, whether repeating it is safe, whether its URL is a credential, whether
its answer streams, and which response policy reads its answers when they differ from the service's (a token
endpoint, an upload host). Hooks run a spec with :meth:`SocialHook.call_api`; a service is then a table of specs
plus thin methods named after the user's action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from airflow_provider_social.core.policy import ResponsePolicy


@dataclass(frozen=True)
class ApiCall:
    """One API call.

    :param name: the operation's name in errors and logs ("create tweet").
    :param method: the HTTP method.
    :param path: a path template under the endpoint (``/2/tweets/{id}``; fields are URL-quoted) or an RPC name.
    :param endpoint: the Connection extra naming the base URL (each hook declares their defaults).
    :param token: the token kind the call needs (``"user"``, ``"community"``, ...), or None for no credentials.
    :param idempotent: whether a lost answer may be repeated blindly; None decides by the HTTP method.
    :param signed_url: the URL itself is a credential (an upload link): only its host is ever logged.
    :param stream: the answer's body is streamed (a download).
    :param policy: reads this call's answers where they mean something else than the service's policy says.
    """

    name: str
    method: str
    path: str
    endpoint: str = "api_base_url"
    token: str | None = "user"
    idempotent: bool | None = None
    signed_url: bool = False
    stream: bool = False
    policy: ResponsePolicy | None = None

    def format_path(self, path_params: Mapping[str, Any] | None = None) -> str:
        if not path_params:
            return self.path
        return self.path.format(**{key: quote(str(value), safe="") for key, value in path_params.items()})

    def request_options(self) -> dict[str, Any]:
        """The transport options this spec fixes (the caller adds the data: params, json, body, ...)."""
        options: dict[str, Any] = {"operation": self.name, "signed_url": self.signed_url, "stream": self.stream}
        if self.idempotent is not None:
            options["idempotent"] = self.idempotent
        if self.policy is not None:
            options["policy"] = self.policy
        return options


__all__ = ["ApiCall"]
