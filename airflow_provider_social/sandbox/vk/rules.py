"""What the VK API refuses before a method runs: tokens, token kinds and scopes, rate limits, captcha, flood.

Also the ``guid`` dedupe rule of ``wall.post``.
"""

from __future__ import annotations

import bisect
import secrets
from collections import deque
from typing import TYPE_CHECKING

from . import errors
from .errors import VkError
from .fixtures import QUOTA_DAY_OFFSET
from .state import Captcha, Token, VkState

if TYPE_CHECKING:
    from .methods.registry import Method

VK_ID_OAUTH = "vk_id"  # key of the VK ID server in SandboxState.oauth
GUID_WINDOW = 3600.0
RANDOM_ID_WINDOW = 3600.0


def resolve_token(vk: VkState, value: str | None) -> Token:
    """The caller's token: a key minted by the sandbox (legacy/community) or a VK ID access token."""
    if not value:
        raise VkError(5, errors.NO_TOKEN)
    with vk.lock:
        token = vk.tokens.get(value)
    if token is not None:
        if token.expires_at is not None and token.expires_at <= vk.clock.now():
            raise VkError(5, errors.EXPIRED_TOKEN)
        return token
    server = vk.sandbox.oauth.get(VK_ID_OAUTH) if vk.sandbox is not None else None
    if server is not None:
        info, reason = server.validate_access_token(value)
        if reason == "expired":
            raise VkError(5, errors.EXPIRED_TOKEN)
        if info is not None:
            scopes = frozenset(info.scope.replace(",", " ").split())
            return Token(value, "user", int(info.user_id), None, scopes, info.expires_at)
    raise VkError(5, errors.INVALID_TOKEN)


def check_rate(vk: VkState, token: Token, at: float | None = None) -> None:
    """At most N requests in any second per token (3 user, 20 community), measured on the sandbox clock at ``at``:
    when the request arrived (its headers were read), not when its body was (a busy server reads bodies late and
    would bunch requests that came spaced).

    Refused requests (error 6) are counted in ``rate_limit_violations`` and do not take a slot. UNCONFIRMED
    whether VK counts refused requests into the window; not counting them is the reading that never locks a
    well-behaved client out.
    """
    limit = vk.rate_limits.get(token.kind)
    if limit is None:
        return
    now = vk.clock.now() if at is None else at
    with vk.lock:
        window = vk.windows.setdefault(token.value, deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if sum(1 for seen in window if seen > now - 1.0) >= limit:
            vk.rate_limit_violations += 1
            raise VkError(6, errors.TOO_MANY_RPS)
        bisect.insort(window, now)  # requests whose bodies came in another order still count by arrival


def check_daily_quota(vk: VkState, token: Token, name: str) -> None:
    """A method with a daily cap (``daily_caps``) answers 29 once the token has called it that many times in the
    quota day, whichever client calls; calls inside ``execute`` count too.

    Counted: every call that passed the token and access checks, refused ones excepted (UNCONFIRMED whether VK
    counts calls that then fail on their parameters). The day starts at 00:00 Moscow time (UNCONFIRMED).
    """
    cap = vk.daily_caps.get(name)
    if cap is None:
        return
    day = int((vk.clock.now() + QUOTA_DAY_OFFSET) // 86400)
    with vk.lock:
        calls = vk.daily_calls.get((token.value, name, day), 0)
        if calls >= cap:
            vk.quota_refusals += 1
            raise VkError(29, errors.RATE_LIMIT_REACHED)
        vk.daily_calls[(token.value, name, day)] = calls + 1


def flooded(vk: VkState, sender: int, peer: int) -> bool:
    """True when ``sender`` (a community id, or minus a user id) already sent ``peer`` the hourly cap of messages
    (``messages_per_peer_hour``; VK's flood control, error 9); otherwise the message is counted. Call under
    ``vk.lock``. A repeat of a ``random_id`` is not a new message and is not counted (the caller answers it first)."""
    cap = vk.messages_per_peer_hour
    if cap is None:
        return False
    now = vk.clock.now()
    times = vk.message_times.setdefault((sender, peer), deque())
    while times and times[0] <= now - 3600.0:
        times.popleft()
    if len(times) >= cap:
        return True
    times.append(now)
    return False


def check_access(method: Method, token: Token) -> None:
    if token.kind not in method.kinds:
        if token.kind == "community":
            raise VkError(27, errors.GROUP_AUTH)
        # A user token on a method the schema lists for community tokens only: VK answers 15.
        raise VkError(15, errors.NO_ACCESS)
    needed = method.scope if token.kind == "user" else method.community_scope
    if needed and needed not in token.scopes:
        raise VkError(15, errors.NO_SCOPE)


def check_injected(vk: VkState, name: str, params: dict[str, str]) -> None:
    """Captcha and flood errors armed through the control API for the next call of a method."""
    with vk.lock:
        if vk.flood_next == name:
            vk.flood_next = None
            raise VkError(9, errors.FLOOD)
        captcha = vk.captcha
        if captcha is None or captcha.method != name:
            return
        if captcha.shown and _solved(captcha, params):
            vk.captcha = None
            return
        if captcha.shown:  # a wrong answer: VK shows a new captcha
            captcha.sid = str(secrets.randbelow(10**12))
            captcha.key = secrets.token_hex(3)
            captcha.success_token = secrets.token_urlsafe(24)
        captcha.shown = True
        raise VkError(14, errors.CAPTCHA, **_captcha_fields(captcha, name))


def _solved(captcha: Captcha, params: dict[str, str]) -> bool:
    if captcha.form == "legacy":
        return params.get("captcha_sid") == captcha.sid and params.get("captcha_key") == captcha.key
    # New form: success_token from the VK ID Captcha SDK; server-to-server callers also send remixstlid.
    return params.get("success_token") == captcha.success_token and params.get("remixstlid", "") in (
        "",
        str(captcha.remixstlid),
    )


def _captcha_fields(captcha: Captcha, name: str) -> dict[str, object]:
    source = "api_" + name.replace(".", "_")
    if captcha.form == "legacy":
        # dev.vk.ru/ru/api/captcha-error, second example (fields marked deprecated there).
        return {
            "redirect_uri": "",
            "captcha_sid": captcha.sid,
            "remixstlid": captcha.remixstlid,
            "is_refresh_enabled": False,
            "captcha_img": f"https://vk.ru/captcha.php?sid={captcha.sid}&source={source}&app_id=0&s=1&resized=1",
            "captcha_ts": 0,
            "captcha_attempt": 1,
            "captcha_ratio": 2.6,
            "is_sound_captcha_available": False,
        }
    return {
        "redirect_uri": "https://id.vk.ru/not_robot_captcha?domain=vk.com&session_token="
        f"{captcha.success_token[:8]}.{captcha.sid}&variant=popup&blank=1",
        "remixstlid": captcha.remixstlid,
    }


def guid_post(vk: VkState, owner_id: int, guid: str | None) -> int | None:
    """The post an earlier ``wall.post`` with this owner and guid created within the last hour, if any.

    VK's wording (copied by many clients): "a unique identifier meant to prevent repeated sending of an
    identical post; it works for one hour". What VK answers on a repeat is UNCONFIRMED; the sandbox answers
    the original post_id and creates nothing, whatever the rest of the repeat says (the strictest reading
    that a retrying client can rely on). After the hour the guid is free again.
    """
    if not guid:
        return None
    with vk.lock:
        seen = vk.guids.get((owner_id, guid))
        if seen is None or seen[1] <= vk.clock.now() - GUID_WINDOW:
            return None
        return seen[0]
