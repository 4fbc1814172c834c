"""What a connection's calls cost: counted per UTC day and month, and a daily budget checked before each call.

A service that bills per call (X since 2026) gives the transport a :class:`Pricing`: what one request would cost
before it is sent (its *kind* and unit price) and how many billable resources its answer holds. The transport's
:class:`Meter` then, for every attempt:

1. *reserves* the call's estimated cost in the connection's ledger, atomically with the check against the budget
   (``daily_budget``), so N workers sharing one ledger can never together pass the budget; over budget, the call is
   refused with :class:`BudgetExceededError` and nothing is sent;
2. after the answer, *settles*: a successful answer replaces the estimate with the actual charge (reads: the new
   resources of the UTC day, as the service deduplicates them); any other answer releases the reservation (only
   successful requests are billed).

The ledger lives where the token store keeps the rate limiter's state (:meth:`TokenStore.spend_documents
<airflow_provider_social.core.tokens.stores.TokenStore.spend_documents>`): files under ``flock`` for the file store
(every process of one host); process memory for the Variable and memory stores (per process, documented).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from airflow_provider_social.core.errors import QuotaExceededError, input_error
from airflow_provider_social.core.ratelimit import fingerprint

if TYPE_CHECKING:
    import requests

T = TypeVar("T")

#: The Connection extra naming the daily budget: ``"$5"``, ``"5 USD"``, ``"500 requests"``.
EXTRA_DAILY_BUDGET = "daily_budget"


class BudgetExceededError(QuotaExceededError):
    """The connection's ``daily_budget`` would be passed by this call: it was not sent."""


@dataclass(frozen=True)
class PricedCall:
    """What one request costs, known before it is sent.

    :param kind: the billing kind ("post_read", "content_create", ...), as the service's price table names it.
    :param unit_usd: the price of one unit in US dollars.
    :param per_resource: True: charged per resource returned (reads); False: per request (writes).
    """

    kind: str
    unit_usd: float
    per_resource: bool = False


class Pricing(Protocol):
    """A service's price table, read by the transport."""

    def price(self, method: str, url: str, json_body: Any) -> PricedCall | None:
        """The priced call for a request (None: not billed)."""
        ...

    def resources(self, call: PricedCall, response: requests.Response) -> list[str]:
        """The ids of the billable resources a successful answer returned (reads)."""
        ...


@dataclass(frozen=True)
class Budget:
    """A daily limit in US dollars or in billed requests."""

    limit: float
    unit: str  # "usd" or "requests"

    _PATTERN = re.compile(r"^\s*(?:\$\s*(?P<dollars>\d+(?:\.\d+)?)|(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>usd|\$|"
                          r"dollars?|requests?|calls?))\s*$", re.IGNORECASE)

    @classmethod
    def parse(cls, value: Any, *, service: str = "") -> Budget | None:
        """Read ``daily_budget``: ``"$5"``, ``"5 USD"``, ``"500 requests"`` (None or "" for no budget).

        :raises ValidationError: naming ``daily_budget`` and the forms it takes.
        """
        if value is None or value == "":
            return None
        match = cls._PATTERN.match(str(value)) if isinstance(value, str) else None
        if match is None:
            raise input_error(EXTRA_DAILY_BUDGET, f"expected an amount with its unit, such as \"$5\", \"5 USD\" or "
                                                  f"\"500 requests\"; got {value!r}", service=service)
        if match["dollars"] is not None:
            return cls(float(match["dollars"]), "usd")
        unit = match["unit"].lower()
        return cls(float(match["amount"]), "requests" if unit.startswith(("request", "call")) else "usd")

    def describe(self) -> str:
        return f"${self.limit:.2f}" if self.unit == "usd" else f"{self.limit:g} requests"


# ------------------------------------------------------------------------------------------------ documents
class SpendDocuments(Protocol):
    """Small JSON documents updated atomically: the ledger's storage."""

    #: What the storage is, for errors (never a secret).
    description: str

    def update(self, name: str, change: Callable[[dict[str, Any]], T]) -> T:
        """Run ``change`` on the document ``name`` (``{}`` when new) atomically and keep what it left."""
        ...


class MemoryDocuments:
    """Documents in this process's memory (the Variable and memory token stores: a per-process ledger)."""

    description = "this process's memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._docs: dict[str, dict[str, Any]] = {}

    def update(self, name: str, change: Callable[[dict[str, Any]], T]) -> T:
        with self._lock:
            doc = self._docs.setdefault(name, {})
            return change(doc)


#: The process-wide ledger storage of stores that share none (one per process, like the per-process limiter).
process_documents = MemoryDocuments()


class FileDocuments:
    """Documents as JSON files in a directory, each read and rewritten under ``flock`` (every process of a host).

    :param directory: where the files live (the file token store's ``.spend`` directory).
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.description = f"ledger files in {self.directory}"

    def update(self, name: str, change: Callable[[dict[str, Any]], T]) -> T:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return update_json_file(self.directory / f"{name}.json", change)


def update_json_file(path: Path, change: Callable[[dict[str, Any]], T]) -> T:
    """Run ``change`` on the JSON object in ``path`` (``{}`` when new or torn by a crashed writer) under an
    exclusive ``flock`` and write back what it left: one atomic update for every process of the host."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # released when the file is closed
        try:
            doc = json.loads(fh.read() or "{}")
        except ValueError:
            doc = {}
        if not isinstance(doc, dict):
            doc = {}
        result = change(doc)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(doc))
    return result


# ------------------------------------------------------------------------------------------------ the ledger
def _add(totals: dict[str, Any], kind: str, calls: int, units: int, usd: float) -> None:
    """Add to a document's totals and to its ``kinds[kind]`` line."""
    totals["calls"] = totals.get("calls", 0) + calls
    totals["usd"] = round(totals.get("usd", 0.0) + usd, 6)
    line = totals.setdefault("kinds", {}).setdefault(kind, {"calls": 0, "units": 0, "usd": 0.0})
    line["calls"] += calls
    line["units"] += units
    line["usd"] = round(line["usd"] + usd, 6)


@dataclass
class SpendLedger:
    """One connection's counted calls and estimated cost, per UTC day (with the resources already billed that day)
    and per UTC month.

    :param documents: where the ledger is kept.
    :param service: the service (part of the key).
    :param credential: the connection id (fingerprinted in the key).
    :param clock: epoch seconds (the UTC day and month come from it).
    """

    documents: SpendDocuments
    service: str
    credential: str
    clock: Callable[[], float] = time.time

    def _names(self) -> tuple[str, str]:
        now = datetime.fromtimestamp(self.clock(), timezone.utc)
        key = fingerprint(f"{self.service}\x00{self.credential}")
        return f"{key}-{now:%Y-%m-%d}", f"{key}-{now:%Y-%m}"

    def reserve(self, call: PricedCall, budget: Budget | None) -> tuple[bool, dict[str, Any]]:
        """Count one call of ``call``'s estimated cost (one unit) today unless it would pass ``budget``.

        :returns: (reserved, today's totals before this call).
        """
        day, _ = self._names()

        def change(doc: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
            before = {"calls": doc.get("calls", 0), "usd": doc.get("usd", 0.0)}
            if budget is not None:
                after = before["usd"] + call.unit_usd if budget.unit == "usd" else before["calls"] + 1
                if after > budget.limit + 1e-9:
                    return False, before
            _add(doc, call.kind, 1, 0, call.unit_usd)
            doc["pending"] = doc.get("pending", 0) + 1
            return True, before

        return self.documents.update(day, change)

    def settle(self, call: PricedCall, resource_ids: list[str] | None) -> float:
        """Replace a reservation by what the successful call cost; return that cost.

        :param resource_ids: the billable resources returned (reads; each charged once per UTC day); None for a
            request-priced call.
        """
        day, month = self._names()
        units_box: list[int] = []

        def change(doc: dict[str, Any]) -> float:
            if call.per_resource:
                seen = set(doc.setdefault("seen", {}).setdefault(call.kind, []))
                new = [rid for rid in dict.fromkeys(resource_ids or []) if rid not in seen]
                doc["seen"][call.kind].extend(new)
                units = len(new)
            else:
                units = 1
            cost = round(units * call.unit_usd, 6)
            _add(doc, call.kind, 0, units, cost - call.unit_usd)  # the call stays counted; the estimate is replaced
            doc["pending"] = max(0, doc.get("pending", 0) - 1)
            units_box.append(units)
            return cost

        cost = self.documents.update(day, change)
        self.documents.update(month, lambda doc: _add(doc, call.kind, 1, units_box[0], cost))
        return cost

    def release(self, call: PricedCall) -> None:
        """Undo a reservation: the call was not billed (refused, failed, not answered)."""
        day, _ = self._names()

        def change(doc: dict[str, Any]) -> None:
            _add(doc, call.kind, -1, 0, -call.unit_usd)
            doc["pending"] = max(0, doc.get("pending", 0) - 1)

        self.documents.update(day, change)

    def today(self) -> dict[str, Any]:
        """Today's (UTC) totals: ``{"calls", "usd", "kinds": {kind: {"calls", "units", "usd"}}}``."""
        return self._read(self._names()[0])

    def this_month(self) -> dict[str, Any]:
        """This UTC month's totals, same shape as :meth:`today`."""
        return self._read(self._names()[1])

    def _read(self, name: str) -> dict[str, Any]:
        def copy(doc: dict[str, Any]) -> dict[str, Any]:
            return {"calls": doc.get("calls", 0), "usd": round(doc.get("usd", 0.0), 6),
                    "kinds": json.loads(json.dumps(doc.get("kinds", {})))}

        return self.documents.update(name, copy)


@dataclass(frozen=True)
class SpendSummary:
    """A connection's counted calls and estimated cost today and this month (UTC), and its daily budget: what
    ``airflow social usage <service>`` prints and the credentials health page shows.

    :param today: :meth:`SpendLedger.today`.
    :param month: :meth:`SpendLedger.this_month`.
    :param budget: the connection's ``daily_budget`` (None: none set).
    :param day: the UTC day counted, ``YYYY-MM-DD``.
    :param kept_in: where the ledger is kept (never a secret).
    """

    today: dict[str, Any]
    month: dict[str, Any]
    budget: Budget | None
    day: str
    kept_in: str

    @classmethod
    def of(cls, hook: Any) -> SpendSummary:
        """Read the summary of a hook's connection (a hook of a service that bills per call).

        :param hook: the connection's hook (``spend_ledger()``, ``extra()``, ``clock``, ``token_store``).
        """
        ledger = hook.spend_ledger()
        now = datetime.fromtimestamp(ledger.clock(), timezone.utc)
        return cls(today=ledger.today(), month=ledger.this_month(),
                   budget=Budget.parse(hook.extra(EXTRA_DAILY_BUDGET), service=ledger.service),
                   day=f"{now:%Y-%m-%d}", kept_in=hook.token_store.spend_documents().description)

    @property
    def month_name(self) -> str:
        return self.day[:7]

    def budget_line(self) -> str:
        """``none (set daily_budget ...)``, or the budget and today's spend in its unit: ``$5.00, spent today
        $0.120``, ``500 requests, spent today 12 requests``."""
        if self.budget is None:
            return f"none (set {EXTRA_DAILY_BUDGET} in the connection's extras)"
        spent = (f"${self.today['usd']:.3f}" if self.budget.unit == "usd" else f"{self.today['calls']} requests")
        return f"{self.budget.describe()}, spent today {spent}"


@dataclass
class Meter:
    """What the transport asks before and after each attempt of a priced call (see the module)."""

    pricing: Pricing
    ledger: SpendLedger
    budget: Budget | None = None

    def price(self, method: str, url: str, json_body: Any) -> PricedCall | None:
        return self.pricing.price(method, url, json_body)

    def reserve(self, call: PricedCall, operation: str) -> None:
        """Reserve the call's estimate, or refuse it (nothing is sent) when it would pass the budget."""
        reserved, spent = self.ledger.reserve(call, self.budget)
        if reserved:
            return
        assert self.budget is not None
        raise BudgetExceededError(
            f"the daily budget of {self.budget.describe()} for connection {self.ledger.credential!r} would be "
            f"passed: spent today (UTC) ${spent['usd']:.3f} on {spent['calls']} calls; this call ({call.kind}, "
            f"${call.unit_usd:.3f}) was not sent",
            service=self.ledger.service, operation=operation,
            hint=f"raise {EXTRA_DAILY_BUDGET} in the connection's extras, or wait for 00:00 UTC",
        )

    def settle(self, call: PricedCall, response: requests.Response) -> None:
        ids = self.pricing.resources(call, response) if call.per_resource else None
        self.ledger.settle(call, ids)

    def release(self, call: PricedCall) -> None:
        self.ledger.release(call)


__all__ = [
    "EXTRA_DAILY_BUDGET",
    "Budget",
    "BudgetExceededError",
    "FileDocuments",
    "MemoryDocuments",
    "Meter",
    "PricedCall",
    "Pricing",
    "SpendDocuments",
    "SpendLedger",
    "SpendSummary",
    "process_documents",
    "update_json_file",
]
