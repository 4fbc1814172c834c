"""X's 24-hour caps: the app's, shared by every user and token of the app, and the user's where a tier has one.

Reference section 6: POST /2/tweets allows 10,000 per 24 h per app (current docs, the Pro row of the tier table);
the tier table of 2025-05 gives Free 17/24 h per user and 17/24 h per app, Basic 100/24 h per user and 1,667/24 h
per app. The app is the OAuth 2.0 client id or the OAuth 1.0a consumer key (one app in X's portal holds both; the
sandbox's own pair is joined by :data:`~.constants.APP_OF_CREDENTIAL`).

Headers: ``x-app-limit-24hour-{limit,remaining,reset}`` and ``x-user-limit-24hour-{…}`` are read by many clients
(twitter-api-v2's ``rateLimit.day``, tweepy's recorded traffic) but are not in X's docs and are reportedly absent under
pay-per-use (UNCONFIRMED). The sandbox sends them by default, so the client can learn a spent window before drawing a
429; ``{"daily_limit_headers": false}`` omits them, and the client must still honour the 429 itself and its reset.

Control API (``POST /_control/state/twitter``): ``{"daily_limits": {"tweets_create": {"app": 17, "user": 17,
"window": 86400}}}`` (``null`` for no cap), ``{"tier": "free" | "basic" | "pro"}`` (the tier table's caps of
POST /2/tweets), ``{"daily_limit_headers": false}``.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from ..clock import SandboxClock
from .constants import DAILY_WINDOW, DEFAULT_DAILY_LIMITS, TIER_DAILY_LIMITS


class DailyCaps:
    """The 24-hour windows of the app and of each user, on the sandbox clock (fixed windows from the first call)."""

    KNOWN = frozenset({"daily_limits", "tier", "daily_limit_headers"})

    def __init__(self, clock: SandboxClock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        #: group -> {"app": cap or None, "user": cap or None, "window": seconds}
        self.limits: dict[str, dict[str, Any]] = {g: dict(spec) for g, spec in DEFAULT_DAILY_LIMITS.items()}
        #: Whether answers carry the x-app-limit-24hour-* / x-user-limit-24hour-* headers (UNCONFIRMED on X).
        self.send_headers = True
        self._windows: dict[tuple[str, str, str], tuple[float, int]] = {}

    def configure(self, data: dict[str, Any]) -> None:
        """Apply the control API's settings (see the module); a changed cap starts its windows afresh."""
        if "tier" in data:
            tier = data["tier"]
            if tier not in TIER_DAILY_LIMITS:
                raise ValueError(f"tier: expected one of {sorted(TIER_DAILY_LIMITS)}, got {tier!r}")
            for group, (app, user) in TIER_DAILY_LIMITS[tier].items():
                self.set_limit(group, app=app, user=user)
        for group, spec in (data.get("daily_limits") or {}).items():
            if group not in self.limits:
                raise ValueError(f"daily_limits: unknown group {group!r}; known: {sorted(self.limits)}")
            if not isinstance(spec, dict) or set(spec) - {"app", "user", "window"} or not all(
                    _cap(spec.get(k)) for k in ("app", "user")):
                raise ValueError(f"daily_limits.{group}: expected {{'app': <int >= 0 or null>, "
                                 f"'user': <int >= 0 or null>, 'window'?: <seconds>}}")
            current = self.limits[group]
            self.set_limit(group, app=spec.get("app", current["app"]), user=spec.get("user", current["user"]),
                           window=int(spec.get("window", current["window"])))
        if "daily_limit_headers" in data:
            if not isinstance(data["daily_limit_headers"], bool):
                raise ValueError("daily_limit_headers: expected true or false")
            self.send_headers = data["daily_limit_headers"]

    def set_limit(self, group: str, *, app: int | None, user: int | None, window: int = DAILY_WINDOW) -> None:
        """Set one group's caps (None: no cap) and start its windows afresh."""
        with self._lock:
            self.limits[group] = {"app": app, "user": user, "window": window}
            for key in [k for k in self._windows if k[0] == group]:
                del self._windows[key]

    def hit(self, group: str, app: str, user: str) -> tuple[bool, dict[str, str]]:
        """Count one request of ``user`` through ``app``: refused (nothing counted) when either cap is spent.

        :returns: (allowed, the x-app-limit-24hour-* / x-user-limit-24hour-* headers unless omitted).
        """
        spec = self.limits.get(group)
        if spec is None:
            return True, {}
        now = self.clock.now()
        # X's per-user limits are per user access token, i.e. per user of the app (another app's tokens of the same
        # person count apart).
        caps = [(scope, who, spec[scope]) for scope, who in (("app", app), ("user", f"{app}\x00{user}"))
                if spec[scope] is not None]
        with self._lock:
            windows = {}
            for scope, who, _ in caps:
                start, count = self._windows.get((group, scope, who), (now, 0))
                windows[scope] = (now, 0) if now >= start + spec["window"] else (start, count)
            allowed = all(windows[scope][1] < cap for scope, _, cap in caps)
            for scope, who, _ in caps:
                start, count = windows[scope]
                windows[scope] = (start, count + 1) if allowed else (start, count)
                self._windows[(group, scope, who)] = windows[scope]
        headers: dict[str, str] = {}
        if self.send_headers:
            for scope, _, cap in caps:
                start, count = windows[scope]
                prefix = f"x-{scope}-limit-24hour"
                headers |= {f"{prefix}-limit": str(cap), f"{prefix}-remaining": str(max(0, cap - count)),
                            f"{prefix}-reset": str(int(math.ceil(start + spec["window"])))}
        return allowed, headers

    def dump(self) -> dict[str, Any]:
        return {"daily_limits": {g: dict(spec) for g, spec in self.limits.items()},
                "daily_limit_headers": self.send_headers}


def _cap(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
