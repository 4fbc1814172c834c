"""OK's request signing (reference 3.2) as a transport :class:`Auth`.

``sig = md5(sorted "key=value" pairs joined without separators + md5(access_token + application secret key))``,
lowercase hex, UTF-8; ``sig``, ``access_token`` and ``session_key`` are not signed. The access token is added
after signing. Every attempt is signed afresh with the current token, so a call renewed after error 102 goes
out with the refreshed token. Neither the secret key nor the derived session secret is ever logged.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from airflow_provider_social.core.http import Auth
from airflow_provider_social.core.masking import register_secret

if TYPE_CHECKING:
    import requests

    from airflow_provider_social.core.tokens import TokenManager, TokenSet

UNSIGNED = ("sig", "access_token", "session_key")


def _md5(text: str) -> str:
    # md5 is what OK's protocol prescribes, not a choice of ours.
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().lower()


def session_secret(access_token: str, application_secret_key: str) -> str:
    """``md5(access_token + application_secret_key)``, lowercase hex."""
    secret = _md5(access_token + application_secret_key)
    register_secret(secret, "session_secret_key")
    return secret


def sign(params: dict[str, Any], access_token: str, application_secret_key: str) -> str:
    """The ``sig`` of ``params`` (values as they are sent, un-URL-encoded)."""
    joined = "".join(f"{key}={params[key]}" for key in sorted(params) if key not in UNSIGNED)
    return _md5(joined + session_secret(access_token, application_secret_key))


class OkSessionAuth(Auth):
    """Signs the urlencoded body of each POST with the current access token; renews once after error 102.

    :param manager: the connection's token lifecycle (hands out the current access token, refreshes it).
    :param application_key: the application public key, sent (and signed) with every call.
    :param application_secret_key: the application secret key; signs, never sent or logged.
    :param credential: a fingerprint of the application and connection (the rate-limit key), never a secret.
    """

    def __init__(self, manager: TokenManager, application_key: str, application_secret_key: str,
                 credential: str) -> None:
        self.manager = manager
        self.application_key = application_key
        self.application_secret_key = application_secret_key
        register_secret(application_secret_key, "application_secret_key")
        self.rate_key = ("user", credential)
        self._sent: TokenSet | None = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        tokens = self.manager.current()
        self._sent = tokens
        token = tokens.access_token or ""
        body = request.body.decode("utf-8") if isinstance(request.body, bytes) else (request.body or "")
        params = {k: v for k, v in parse_qsl(str(body), keep_blank_values=True) if k not in UNSIGNED}
        params["application_key"] = self.application_key
        params["sig"] = sign(params, token, self.application_secret_key)
        params["access_token"] = token
        request.prepare_body(urlencode(params), None)
        return request

    def renew(self, response: requests.Response) -> bool:
        """Refresh the session once after error 102; False when there is no way to refresh.

        :param response: the answer that said the session expired."""
        if self.manager.refresher is None:
            return False
        self.manager.refresh(stale=self._sent, force=True)
        return True
