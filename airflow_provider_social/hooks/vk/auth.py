"""VK token kinds and how each reaches a request.

* ``user`` -- a community admin's user token. Either static (the legacy token link with ``offline``: it never
  expires) or a VK ID token (1 hour) refreshed with the rotating refresh token and the ``device_id`` through the
  token store (see docs/tokens.md).
* ``community`` -- the community key (never expires): ``messages.send`` and the other community-token methods.

Tokens travel in the ``Authorization: Bearer`` header (VK accepts it or an ``access_token`` parameter; reference
1.1): never in a query string, never in the form body that an error's ``request_params`` could echo.
Each kind is rate limited per credential (3/s user, 20/s community) across the process's threads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.http import Auth
from airflow_provider_social.core.masking import register_secret
from airflow_provider_social.core.oauth import TokenAuth, new_state
from airflow_provider_social.core.ratelimit import fingerprint
from airflow_provider_social.core.tokens import TokenManager, TokenSet
from airflow_provider_social.hooks.vk.policy import SERVICE, VkIdPolicy

if TYPE_CHECKING:
    import requests

USER = "user"
COMMUNITY = "community"
TOKEN_KINDS = (USER, COMMUNITY)

#: VK ID's token endpoint (code exchange and refresh), form-encoded (reference 1.8).
VK_ID_TOKEN = ApiCall("VK ID token", "POST", "/oauth2/auth", endpoint="vk_id_base_url", token=None,
                      idempotent=False, policy=VkIdPolicy())

#: Which Connection field fills each kind (named in the error when it is empty).
FIELD_FOR_KIND = {
    USER: "access_token (a user token: `airflow social auth vk --conn-id {conn_id}` or --implicit)",
    COMMUNITY: "community_token (the community key: `airflow social auth vk --conn-id {conn_id} --community-token`)",
}


class StaticTokenAuth(Auth):
    """A token that never expires (community key; a user token from the link with ``offline``).

    :param token: the token (registered with the secrets masker).
    :param kind: ``"user"`` or ``"community"``.
    """

    def __init__(self, token: str, kind: str) -> None:
        register_secret(token, f"{kind}_token")
        self._token = token
        self.kind = kind
        self.rate_key = (kind, fingerprint(token))

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return f"StaticTokenAuth(kind={self.kind!r})"


class VkIdTokenAuth(TokenAuth):
    """A VK ID user token from the token manager; error 5 renews it once (the policy says Renew).

    :param manager: the token manager of the connection.
    :param conn_id: the Connection ID (the limiter's key: the token itself rotates).
    """

    def __init__(self, manager: TokenManager, conn_id: str) -> None:
        super().__init__(manager, scheme="Bearer")
        self.kind = USER
        # The token rotates hourly: the limiter keys on the connection, not on one token's fingerprint.
        self.rate_key = (USER, f"vkid:{conn_id}")


class VkCredentials:
    """The token kinds a VK connection holds and the ``requests`` auth object for each.

    :param conn_id: the Connection ID (named in the errors that say which field to fill).
    :param user_token: the static user token (``access_token`` extra or the password), or None.
    :param community_token: the community key, or None.
    :param refreshable: the connection holds a VK ID refresh token: the user token comes from ``vk_id_auth``.
    :param vk_id_auth: returns the VK ID auth (over the hook's token manager) when a user call first needs it.
    """

    def __init__(self, *, conn_id: str, user_token: str | None, community_token: str | None, refreshable: bool,
                 vk_id_auth: Callable[[], Auth]) -> None:
        self.conn_id = conn_id
        self._user_token = user_token
        self._community_token = community_token
        self._refreshable = refreshable
        self._vk_id_auth = vk_id_auth
        self._static: dict[str, StaticTokenAuth] = {}

    def user_token_source(self) -> str | None:
        """``"vk_id"`` (refreshable), ``"static"``, or None when the connection has no user token."""
        if self._refreshable:
            return "vk_id"
        if self._user_token:
            return "static"
        return None

    def available_kinds(self) -> tuple[str, ...]:
        """The token kinds this connection holds (``user`` and/or ``community``)."""
        kinds = []
        if self.user_token_source():
            kinds.append(USER)
        if self._community_token:
            kinds.append(COMMUNITY)
        return tuple(kinds)

    def missing_kind_error(self, kinds: tuple[str, ...], operation: str) -> Exception:
        """The input error naming the Connection field to fill for ``kinds``.

        :param kinds: the token kinds the method accepts, preferred first.
        :param operation: the action named in errors.
        """
        names = " or ".join(FIELD_FOR_KIND[k].split(" ", 1)[0] for k in kinds)
        how = "; or ".join(FIELD_FOR_KIND[k].format(conn_id=self.conn_id) for k in kinds)
        what = " or ".join(f"a {k} token" for k in kinds)
        return input_error(names, f"{operation} needs {what} and connection {self.conn_id!r} has none; fill {how}",
                           service=SERVICE, operation=operation)

    def choose_kind(self, kinds: tuple[str, ...], operation: str, prefer: str | None = None) -> str:
        """The first of ``kinds`` this connection has (``prefer`` first when given), else an input error.

        :param kinds: the token kinds the method accepts, preferred first.
        :param operation: the action named in errors.
        :param prefer: the kind the caller asked for, tried first.
        """
        available = self.available_kinds()
        order = ([prefer] if prefer in kinds else []) + [k for k in kinds if k != prefer]
        for kind in order:
            if kind in available:
                return kind
        if prefer is not None and prefer not in kinds:
            raise input_error("token", f"{operation} accepts {' or '.join(kinds)} tokens, not {prefer!r}",
                              service=SERVICE, operation=operation)
        raise self.missing_kind_error(kinds if prefer is None else (prefer,), operation)

    def auth_for(self, kind: str | None) -> Auth | None:
        """The ``requests`` auth object for a token kind (None for calls without a token).

        :param kind: ``"user"`` or ``"community"``.
        """
        if kind is None:
            return None
        if kind == COMMUNITY:
            if not self._community_token:
                raise self.missing_kind_error((COMMUNITY,), "this call")
            return self._static_auth(COMMUNITY, self._community_token)
        if kind == USER:
            source = self.user_token_source()
            if source == "vk_id":
                return self._vk_id_auth()
            if source == "static" and self._user_token:
                return self._static_auth(USER, self._user_token)
            raise self.missing_kind_error((USER,), "this call")
        raise input_error("token", f"unknown VK token kind {kind!r}; expected user or community", service=SERVICE)

    def _static_auth(self, kind: str, token: str) -> StaticTokenAuth:
        if kind not in self._static:
            self._static[kind] = StaticTokenAuth(token, kind)
        return self._static[kind]


def vk_id_seed(*, access_token: str | None, refresh_token: str | None, expires_at: Any,
               device_id: str | None) -> TokenSet:
    """The VK ID token set a Connection holds (the token store's newer one wins).

    :param access_token: the last access token, or None.
    :param refresh_token: the rotating refresh token.
    :param expires_at: when the access token expires (epoch seconds), or None.
    :param device_id: VK ID's device id (sent with every refresh).
    """
    return TokenSet(access_token=access_token or None, refresh_token=refresh_token,
                    expires_at=float(expires_at) if expires_at else None,
                    extra={"device_id": device_id} if device_id else {})


def refresh_vk_id_tokens(tokens: TokenSet, *, conn_id: str, app_id: str | None, device_id: str | None,
                         client_secret: str | None, send: Callable[[dict[str, Any]], Any],
                         clock: Callable[[], float]) -> TokenSet:
    """``grant_type=refresh_token`` at VK ID with ``client_id`` and ``device_id``: the answer's new refresh token
    and the kept device_id, for the token manager (which persists them before use).

    :param tokens: the token set to refresh (its refresh token and device_id).
    :param conn_id: the Connection ID (named in the error when app_id or device_id is missing).
    :param app_id: the VK ID app (``client_id``).
    :param device_id: the device id the Connection holds (the token set's own wins).
    :param client_secret: the app's secret, when it has one.
    :param send: posts the form to VK ID's token endpoint and returns the parsed answer.
    :param clock: the current time (epoch seconds), for the new expiry.
    """
    device_id = tokens.extra.get("device_id") or device_id
    if not app_id or not device_id:
        missing = "app_id" if not app_id else "device_id"
        raise input_error(missing, "refreshing a VK ID token needs the app ID and the device ID that "
                          f"`airflow social auth vk --conn-id {conn_id}` stores", service=SERVICE,
                          operation="refresh token")
    form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token, "client_id": app_id,
            "device_id": device_id, "state": new_state()}
    if client_secret:
        form["client_secret"] = client_secret
    payload = send(form)
    if not isinstance(payload, dict) or not payload.get("access_token"):
        from airflow_provider_social.core.errors import SocialApiError

        raise SocialApiError("VK ID answered without an access_token", service=SERVICE, operation="refresh token")
    for key in ("access_token", "refresh_token", "id_token"):
        register_secret(payload.get(key), key)
    payload.pop("state", None)
    new = TokenSet.from_token_response(payload, now=clock(), previous=tokens)
    if not new.extra.get("device_id"):
        new = TokenSet(**{**new.__dict__, "extra": {**new.extra, "device_id": device_id}})
    return new


__all__ = [
    "COMMUNITY",
    "TOKEN_KINDS",
    "USER",
    "StaticTokenAuth",
    "VK_ID_TOKEN",
    "VkCredentials",
    "VkIdTokenAuth",
    "refresh_vk_id_tokens",
    "vk_id_seed",
]
