"""The method table: each emulated VK method with the token kinds and scopes it accepts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..params import Params
from ..state import Token, VkState


@dataclass
class Call:
    """One method invocation (a top-level request or one call inside ``execute``)."""

    vk: VkState
    token: Token
    params: Params
    method: str
    v: str
    base_url: str  # the root upload URLs point at: the storage listener (VK's upload hosts are other hosts)

    @property
    def user_id(self) -> int | None:
        return self.token.user_id


@dataclass(frozen=True)
class Method:
    name: str
    func: Callable[[Call], Any]
    kinds: frozenset[str]  # "user" and/or "community" (schema access_token_type; "group" there)
    scope: str | None  # right a user token needs
    community_scope: str | None  # right a community token needs


METHODS: dict[str, Method] = {}


def method(
    name: str, kinds: tuple[str, ...] = ("user",), scope: str | None = None, community_scope: str | None = None
) -> Callable[[Callable[[Call], Any]], Callable[[Call], Any]]:
    def register(func: Callable[[Call], Any]) -> Callable[[Call], Any]:
        METHODS[name] = Method(name, func, frozenset(kinds), scope, community_scope)
        return func

    return register
