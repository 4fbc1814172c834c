"""The sandbox's only source of time.

Every expiry in the sandbox (codes, tokens, device codes, upload links) is computed from this clock, so tests
can freeze time and jump it forward instead of sleeping.
"""

from __future__ import annotations

import threading
import time


class SandboxClock:
    """Wall-clock time plus an offset, or a frozen instant. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen: float | None = None

    def now(self) -> float:
        """Current sandbox time in epoch seconds."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return time.time() + self._offset

    @property
    def frozen(self) -> bool:
        with self._lock:
            return self._frozen is not None

    def advance(self, seconds: float) -> float:
        """Move sandbox time forward (or back, if negative); returns the new now()."""
        with self._lock:
            if self._frozen is not None:
                self._frozen += seconds
            else:
                self._offset += seconds
        return self.now()

    def freeze(self, at: float | None = None) -> float:
        """Stop time at ``at`` (default: the current sandbox time)."""
        with self._lock:
            if at is None:
                at = self._frozen if self._frozen is not None else time.time() + self._offset
            self._frozen = float(at)
            return self._frozen

    def unfreeze(self) -> float:
        """Let time flow again from the frozen instant (no jump back to the wall clock)."""
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - time.time()
                self._frozen = None
        return self.now()

    def reset(self) -> None:
        """Back to plain wall-clock time."""
        with self._lock:
            self._offset = 0.0
            self._frozen = None

    def snapshot(self) -> dict[str, float | bool]:
        with self._lock:
            frozen = self._frozen is not None
            now = self._frozen if self._frozen is not None else time.time() + self._offset
        return {"now": now, "frozen": frozen}
