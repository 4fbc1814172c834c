"""VK's method table and the one way every method is called.

Each method the hook uses is declared once: which token kinds VK's schema accepts for it (``access_token_type``
in ``VKCOM/vk-api-schema``, 5.199; the first listed is preferred) and whether a lost answer may be repeated
blindly (reads; ``wall.post`` with a ``guid``). Calls are ``POST /method/<name>`` with a form body carrying ``v``;
the token goes in the ``Authorization`` header (see :mod:`.auth`), never in the URL or the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.auth import COMMUNITY, USER
from airflow_provider_social.hooks.vk.policy import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.core.http import Auth

_METHOD_RE = re.compile(r"^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$|^execute$")
_ANY = (USER, COMMUNITY)


@dataclass(frozen=True)
class VkMethod:
    """One VK API method: its token kinds (preferred first), the kinds VK also accepts but the hook uses only when
    the caller asks for them (``token=``), and whether repeating it is harmless.

    :param name: the method name.
    :param tokens: the token kinds used by default, preferred first.
    :param idempotent: whether a lost answer may be repeated.
    :param on_request: kinds used only when asked for.
    """

    name: str
    tokens: tuple[str, ...] = (USER,)
    idempotent: bool = False
    on_request: tuple[str, ...] = ()

    def kinds(self, requested: str | None) -> tuple[str, ...]:
        """The kinds a call may use: the default ones, plus :attr:`on_request` when a kind was asked for.

        :param requested: the kind the caller asked for, or None.
        """
        return self.tokens if requested is None else self.tokens + self.on_request

    def api_call(self, kind: str, *, idempotent: bool | None = None) -> ApiCall:
        """The transport's :class:`ApiCall` for this method with the given token kind.

        :param kind: ``"user"`` or ``"community"``.
        :param idempotent: whether a lost answer may be repeated.
        """
        repeat = self.idempotent if idempotent is None else idempotent
        return ApiCall(self.name, "POST", f"/method/{self.name}", token=kind, idempotent=repeat)


def _table(*methods: VkMethod) -> dict[str, VkMethod]:
    return {m.name: m for m in methods}


#: Token kinds per method from VK's schema (``access_token_type``). ``messages.send`` takes a community key by
#: default; the schema also lists user tokens (they need the ``messages`` scope, which VK grants only to approved
#: apps), so a user token is used when the caller asks for it with ``token="user"``.
METHODS: dict[str, VkMethod] = _table(
    VkMethod("wall.post"),
    VkMethod("wall.delete"),
    VkMethod("wall.repost"),
    VkMethod("wall.createComment", _ANY),
    VkMethod("wall.getById", (USER,), idempotent=True),
    VkMethod("polls.create"),
    VkMethod("photos.createAlbum"),
    VkMethod("photos.deleteAlbum"),
    VkMethod("photos.delete"),
    VkMethod("photos.getUploadServer", idempotent=True),
    VkMethod("photos.save"),
    VkMethod("photos.getWallUploadServer", idempotent=True),
    VkMethod("photos.saveWallPhoto"),
    VkMethod("stories.getPhotoUploadServer", (COMMUNITY, USER), idempotent=True),
    VkMethod("stories.save", (COMMUNITY, USER)),
    VkMethod("video.save"),
    VkMethod("docs.getUploadServer", (USER,), idempotent=True),
    VkMethod("docs.getWallUploadServer", _ANY, idempotent=True),
    VkMethod("docs.save", _ANY),
    VkMethod("messages.send", (COMMUNITY,), on_request=(USER,)),
    VkMethod("utils.getShortLink", _ANY, idempotent=True),
    VkMethod("stats.get", (USER,), idempotent=True),
    VkMethod("stats.getPostReach", (USER,), idempotent=True),
    VkMethod("groups.getById", (COMMUNITY, USER), idempotent=True),
    VkMethod("groups.isMember", (COMMUNITY, USER), idempotent=True),
    VkMethod("users.get", (COMMUNITY, USER), idempotent=True),
    VkMethod("execute", (COMMUNITY, USER)),
)


def method_spec(name: str) -> VkMethod:
    """The declared method, or (for ``call()`` on anything else) one that accepts either kind, never repeated."""
    if not isinstance(name, str) or not _METHOD_RE.match(name):
        raise input_error("method", f"expected a VK method name such as 'wall.get', got {name!r}", service=SERVICE)
    return METHODS.get(name) or VkMethod(name, _ANY)


def encode_value(value: Any) -> str:
    """A parameter as VK reads it: lists comma-joined, booleans 1/0, dicts (keyboards, templates) as JSON."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if any(isinstance(v, (Mapping, list, tuple)) for v in items):
            return json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        return ",".join(encode_value(v) for v in items)
    return str(value)


def encode_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The form body (None values dropped). A token passed as a parameter is refused: it would travel in the
    body and could come back in an error's ``request_params``."""
    for secret in ("access_token", "client_secret"):
        if secret in params:
            raise input_error(secret, "tokens come from the connection, never as a call parameter", service=SERVICE)
    return {key: encode_value(value) for key, value in params.items() if value is not None}


class VkCallsMixin:
    """``call(method, **params)`` and its plumbing. Mixed into :class:`~airflow_provider_social.hooks.vk.VkHook`."""

    if TYPE_CHECKING:
        def choose_kind(self, kinds: tuple[str, ...], operation: str, prefer: str | None = None) -> str: ...
        def call_api(self, call: ApiCall, **options: Any) -> Any: ...
        def auth_for(self, kind: str | None) -> Auth | None: ...
        @property
        def api_version(self) -> str: ...

    def call(self, method: str, *, token: str | None = None, idempotent: bool | None = None,
             **params: Any) -> Any:
        """Call any VK method and return its ``response``.

        :param method: e.g. ``"wall.get"``.
        :param token: ``"user"`` or ``"community"`` to pick the token kind; default: the method's preferred kind
            that the connection has.
        :param idempotent: override whether a lost answer may be repeated (default from the method table).
        :param params: the method's parameters (lists are comma-joined, dicts JSON-encoded).
        """
        return self.call_raw(method, token=token, idempotent=idempotent, **params)["response"]

    def call_raw(self, method: str, *, token: str | None = None, idempotent: bool | None = None,
                 retries: bool = True, **params: Any) -> dict[str, Any]:
        """Like :meth:`call` but returns VK's whole body (``execute`` adds ``execute_errors`` beside
        ``response``). ``retries=False`` makes one attempt (a step of a flow that retries as a whole).

        :param method: the VK method name, e.g. ``users.get``.
        :param token: ``"user"`` or ``"community"`` to pick the token kind; default: the method's preferred kind.
        :param idempotent: override whether a lost answer may be repeated (default from the method table).
        :param retries: False for one attempt (a step of a flow that retries as a whole).
        """
        spec = method_spec(method)
        form = encode_params(params)
        kind = self.choose_kind(spec.kinds(token), method, prefer=token)
        form["v"] = self.api_version
        return self.call_api(spec.api_call(kind, idempotent=idempotent), data=form, retries=retries)


__all__ = ["METHODS", "VkCallsMixin", "VkMethod", "encode_params", "encode_value", "method_spec"]
