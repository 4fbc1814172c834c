"""Trigger: wait in the triggerer while X processes uploaded GIFs and videos, so no worker slot is held.

Status calls go through :class:`~airflow_provider_social.hooks.twitter.TwitterHook`, whose HTTP is blocking, so each
runs in ``asyncio.to_thread``; waits are ``asyncio.sleep`` (injectable as ``trigger.sleep``). The event loop is
never blocked. The connection is read with the async ``aget_connection``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_social.core.deferral import SerializedFields


class TwitterMediaProcessingTrigger(SerializedFields, BaseTrigger):
    """Poll X's media status until every media id is ``succeeded`` (or one ``failed``).

    Fires one event: ``{"status": "success" | "failed" | "error", "media_ids", "groups", "message"}``.

    :param media_ids: the media to wait for.
    :param groups: JSON-serialisable value handed back unchanged in the event (the operator's media ids per post,
        which must survive the deferral even where the resume kwargs are not kept, as in ``airflow dags test``).
    :param twitter_conn_id: the connection to poll with.
    :param poll_interval: seconds between polls; None (default) honours each answer's ``check_after_secs``.
    :param timeout: give up after this many seconds (None: the task's own timeout decides).
    """

    FIELDS = ("media_ids", "groups", "twitter_conn_id", "poll_interval", "timeout")

    def __init__(
        self,
        *,
        media_ids: list[str],
        groups: Any = None,
        twitter_conn_id: str = "twitter_default",
        poll_interval: float | None = None,
        timeout: float | None = 1800.0,
    ) -> None:
        super().__init__()
        self.media_ids = [str(m) for m in media_ids]
        self.groups = groups
        self.twitter_conn_id = twitter_conn_id
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
        self.clock: Callable[[], float] = time.monotonic

    def _event(self, status: str, message: str = "") -> TriggerEvent:
        return TriggerEvent({"status": status, "media_ids": self.media_ids, "groups": self.groups,
                             "message": message})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Check every pending media id, wait as :func:`~airflow_provider_social.hooks.twitter.media.media_rule`
        says (X's shortest ``check_after_secs``, or ``poll_interval``), and fire one event."""
        from airflow_provider_social.core.masking import redact
        from airflow_provider_social.core.waiting import Poll, WaitTimeout, await_for
        from airflow_provider_social.hooks.twitter import MediaProcessingError, TwitterHook
        from airflow_provider_social.hooks.twitter.media import media_poll, media_rule

        pending = list(self.media_ids)
        try:
            hook = await TwitterHook.for_trigger(self.twitter_conn_id)

            async def check() -> Poll:
                advice = []
                for media_id in list(pending):
                    poll = media_poll(await asyncio.to_thread(hook.get_media_status, media_id))
                    if poll.done:
                        pending.remove(media_id)
                    else:
                        advice.append(poll.advice or 1.0)
                return Poll(done=not pending, advice=min(advice) if advice else None)

            await await_for(check, media_rule(self.timeout, self.poll_interval), what="media",
                            service="X", operation="wait for media processing", sleep=self.sleep, clock=self.clock)
            yield self._event("success")
        except WaitTimeout:
            yield self._event("error", f"media {', '.join(pending)} still processing after {self.timeout:.0f} s")
        except MediaProcessingError as exc:
            yield self._event("failed", redact(exc.api_message))
        except Exception as exc:  # reported to the task, which fails with the message
            yield self._event("error", redact(f"{type(exc).__name__}: {exc}"))
