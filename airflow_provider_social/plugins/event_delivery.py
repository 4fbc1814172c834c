"""The listener that makes a watcher's event stored once: it records each watcher's delivered position in the
database transaction that stores the asset event.

A watcher's event carries ``payload["delivery"] = {"watcher", "position"}``
(:mod:`airflow_provider_social.triggers.cursor_stream`). The triggerer stores an event with
``Trigger.submit_event``, whose ``AssetManager.register_asset_change`` calls ``on_asset_event_emitted`` inline,
before its session commits. That session is Airflow's scoped (per-thread) ``settings.Session``, so the Variable
written here through ``settings.Session()`` commits or rolls back with the asset event: after a triggerer kill the
recorded position is exactly the last event Airflow stored, and the restarted watcher skips what is at or before it.

Airflow calls listeners in every process that stores asset events; this one acts only on events from a trigger
that carry a delivery (anything else returns at once).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from airflow.listeners import hookimpl

log = logging.getLogger(__name__)
DESCRIPTION = "The last event Airflow stored for an airflow-provider-social event watcher. Do not edit by hand."


def delivery_of(extra: Any) -> tuple[str, Any] | None:
    """``(watcher, position)`` of an asset event's ``extra`` when a provider watcher's trigger fired it, else None.

    :param extra: the asset event's ``extra``.
    """
    if not isinstance(extra, dict) or not extra.get("from_trigger"):
        return None
    payload = extra.get("payload")
    if not isinstance(payload, dict):
        return None
    from airflow_provider_social.core.tokens.cursors import DELIVERY_FIELD

    delivery = payload.get(DELIVERY_FIELD)
    if not isinstance(delivery, dict) or not isinstance(delivery.get("watcher"), str):
        return None
    return delivery["watcher"], delivery.get("position")


def record(session: Any, watcher: str, position: Any) -> None:
    """Write the delivered position of ``watcher`` in ``session`` (no commit: the caller's transaction decides).

    :param session: the session storing the asset event.
    :param watcher: the watcher's id.
    :param position: the stored event's position.
    """
    from airflow.models.variable import Variable
    from sqlalchemy import select

    from airflow_provider_social.core.tokens.cursors import delivered_variable

    name = delivered_variable(watcher)
    value = json.dumps(position, sort_keys=True)
    row = session.scalar(select(Variable).where(Variable.key == name))
    if row is None:
        session.add(Variable(key=name, val=value, description=DESCRIPTION))
    else:
        row.set_val(value)


@hookimpl
def on_asset_event_emitted(asset_event: Any) -> None:
    """Record the delivered position of a provider watcher's event, in the transaction storing it.

    :param asset_event: the emitted asset event (Airflow's listener view of it).
    """
    delivery = delivery_of(getattr(asset_event, "extra", None))
    if delivery is None:
        return
    from airflow import settings

    if settings.Session is None:  # no metadata database in this process: nothing stores the event here either
        return
    record(settings.Session(), *delivery)
