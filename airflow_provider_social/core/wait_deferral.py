"""Waits that free the worker: one mechanism for every service's operators.

A service may ask for a wait far longer than a worker should sleep through: an X 429 whose window resets in
minutes, VK's error 29 (a method's daily quota, reset at 00:00 Moscow time), Yandex Disk's ``Retry-After`` on a 429
or 503. The pieces:

- :func:`~airflow_provider_social.core.deferral.waits_defer_after` opens a scope (a context variable) in which
  the transport does not sleep a server-requested wait longer than the scope's bound: it raises the service's error
  with ``resume_at`` set (epoch seconds), and only where sending the request again is safe. A quota refusal
  (:class:`~airflow_provider_social.core.errors.CallQuotaError`) carries ``resume_at`` = its reset anyway.
- :class:`WaitDeferringOperator`, the base of the operators that can resume, runs a step in that scope when the
  operator is deferrable and, on such an error, defers to the triggerer with a
  :class:`~airflow.providers.standard.triggers.temporal.DateTimeTrigger` at ``resume_at``; no worker slot is held
  during the wait. Its :meth:`~WaitDeferringOperator.resume_after_wait` runs ``execute`` again; each service makes
  that safe where a step may have acted (VK's ``guid`` and ``random_id``, X's look-up of landed posts, Yandex's
  uploads that are skipped once stored).

A non-deferrable operator never opens the scope: the transport sleeps waits within ``max_retry_wait`` and fails past
it, naming the moment the service will take the call again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from airflow.sdk import BaseOperator

from airflow_provider_social.core.deferral import default_deferrable, reset_time, waits_defer_after
from airflow_provider_social.core.errors import SocialApiError

if TYPE_CHECKING:
    from airflow.sdk import Context

T = TypeVar("T")

#: Waits up to this long are slept in the worker even by a deferrable operator: a deferral and its resume cost a few
#: seconds of scheduling themselves.
DEFER_WAITS_LONGER_THAN = 10.0

#: A second after the service's reset, so the resumed call does not arrive a moment early by clock skew.
RESUME_MARGIN = 1.0


class WaitDeferringOperator(BaseOperator):
    """Base of operators that hand a long rate-limit or quota wait to the triggerer and resume where they were.

    :param deferrable: wait in the triggerer (no worker slot held) when the service asks for a wait longer than
        ``defer_waits_longer_than`` seconds; default: the ``[operators] default_deferrable`` setting. Without it,
        waits within the connection's ``max_retry_wait`` are slept and longer ones fail, naming the reset time.
    """

    #: Waits up to this many seconds are slept in the worker (see :data:`DEFER_WAITS_LONGER_THAN`).
    defer_waits_longer_than: float = DEFER_WAITS_LONGER_THAN

    def __init__(self, *, deferrable: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deferrable = default_deferrable() if deferrable is None else deferrable
        #: True in a try resumed after a wait: steps that may have acted before it look before they repeat.
        self.resumed_after_wait = False

    def run_deferring_waits(self, step: Callable[[], T], *, method_name: str = "resume_after_wait",
                            kwargs: dict[str, Any] | None = None) -> T:
        """Run ``step``; when deferrable and the service asks for a long wait, defer until it is over.

        :param step: what to run (its calls are safe to send again after the wait; see the module's docstring).
        :param method_name: the method the task resumes in (called with ``event`` and ``kwargs``).
        :param kwargs: what the resume method needs beyond the operator's own fields (JSON-serialisable).
        """
        if not self.deferrable:
            return step()
        with waits_defer_after(self.defer_waits_longer_than):
            try:
                return step()
            except SocialApiError as error:
                if error.resume_at is None:
                    raise
                self.defer_until(error.resume_at, str(error), method_name=method_name, kwargs=kwargs)

    def defer_until(self, resume_at: float, reason: str, *, method_name: str = "resume_after_wait",
                    kwargs: dict[str, Any] | None = None) -> NoReturn:
        """Defer to a timer trigger at ``resume_at`` (plus :data:`RESUME_MARGIN`).

        :param resume_at: epoch seconds.
        :param reason: what asked for the wait (logged).
        :param method_name: the method the task resumes in.
        :param kwargs: passed to that method.
        """
        from airflow.providers.standard.triggers.temporal import DateTimeTrigger

        moment = resume_at + RESUME_MARGIN  # a moment already past fires at once
        self.log.info("Waiting in the triggerer until %s (the worker slot is free meanwhile): %s",
                      reset_time(moment), reason)
        self.defer(trigger=DateTimeTrigger(moment=datetime.fromtimestamp(moment, timezone.utc)),
                   method_name=method_name, kwargs=kwargs)
        raise AssertionError("unreachable: defer() raises")  # pragma: no cover

    def resume_after_wait(self, context: Context, event: Any = None, **kwargs: Any) -> Any:
        """Resume once the wait is over: run ``execute`` again with :attr:`resumed_after_wait` set.

        :param context: the task's Airflow context.
        :param event: the timer trigger's event (unused).
        :param kwargs: unused here; subclasses with resume state take theirs by name.
        """
        self.resumed_after_wait = True
        return self.execute(context)


__all__ = ["DEFER_WAITS_LONGER_THAN", "RESUME_MARGIN", "WaitDeferringOperator"]
