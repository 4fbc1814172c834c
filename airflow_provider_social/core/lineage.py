"""Assets and lineage: what an operator created, announced as Asset events; what a transfer read and wrote,
reported to Airflow's hook lineage collector.

Two Airflow mechanisms, both optional for the user and cheap when unused:

* **Asset events** (:func:`emit_assets`): an operator that creates something (a Disk file, an export, a post)
  names it by a URI and an ``extra`` dict. A task declares where the events go through its ``outlets``: an
  ``AssetAlias`` receives every created asset (its name is known only at run time, e.g. ``yadisk://conn@/Backups/
  2026-12-06/db.sql``); an ``Asset`` whose URI is the created one gets the ``extra`` on the event Airflow emits for
  it. A DAG scheduled on such an asset runs when the task succeeds.
* **Hook lineage** (:func:`report_transfer`): uploads and downloads tell the collector their input and output
  (``s3://bucket/key -> yadisk://conn@/path``), so a lineage backend (OpenLineage, or any registered
  ``HookLineageReader``) shows the flow without DAG code. Without a reader Airflow's collector is a no-op.

Airflow is imported lazily here, so importing this module costs nothing while a DAG file is parsed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

YADISK_SCHEME = "yadisk"


@dataclass(frozen=True)
class CreatedAsset:
    """Something an operator created: its asset URI and the event's ``extra`` (JSON values only).

    :param uri: the asset URI, e.g. ``yadisk://yandex_disk_default@/Backups/db.sql``.
    :param extra: what a downstream DAG may want without another call: size, md5, a post's URL.
    """

    uri: str
    extra: dict[str, Any] = field(default_factory=dict)


def disk_uri(conn_id: str, path: str) -> str:
    """The ``yadisk://`` URI of a Disk path, as ``ObjectStoragePath`` spells it (the connection is the user part).

    :param conn_id: the ``yandex_disk`` connection.
    :param path: a Disk path, ``disk:/a/b`` or ``/a/b``.
    """
    rest = path.partition(":")[2] if path.startswith("disk:") else path
    return f"{YADISK_SCHEME}://{conn_id}@/{rest.strip('/')}"


def source_uri(source: Any) -> str | None:
    """The URI a media source was read from, for lineage: a store's ``scheme://conn@bucket/key``, a local file's
    ``file://`` URI, an http(s) URL without query string or user info; None for bytes and file objects (no
    address a lineage backend could name).

    :param source: a :class:`~airflow_provider_social.core.sources.MediaSource`.
    """
    path = getattr(source, "path", None)
    if path is not None and hasattr(path, "protocol"):  # an ObjectStoragePath (StoreSource)
        return str(path)
    label = str(getattr(source, "label", ""))
    parts = urlsplit(label)
    if parts.scheme in ("http", "https") and parts.hostname:  # also when spooled to a temporary file
        return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    if path is not None and not label.startswith("<"):  # a local file the user named (not a spooled copy)
        return f"file://{os.path.abspath(path)}"
    return None


def target_uri(target: Any) -> str:
    """The URI of where a download went: a store's path as is, a local file as ``file://``.

    :param target: an ``ObjectStoragePath`` (or its URL) or a local path.
    """
    if hasattr(target, "protocol") or "://" in str(target):
        return str(target)
    return f"file://{os.path.abspath(str(target))}"


def report_transfer(context: Any, *, inputs: Iterable[str | None] = (), outputs: Iterable[str | None] = ()) -> None:
    """Tell Airflow's hook lineage collector what a hook read and wrote (None entries are skipped).

    :param context: the hook that moved the data (the collector keys entries by it).
    :param inputs: URIs read.
    :param outputs: URIs written.
    """
    from airflow.sdk.lineage import get_hook_lineage_collector

    collector = get_hook_lineage_collector()
    for uri in inputs:
        if uri:
            collector.add_input_asset(context=context, uri=uri)
    for uri in outputs:
        if uri:
            collector.add_output_asset(context=context, uri=uri)


def emit_assets(outlets: Iterable[Any], context: Mapping[str, Any], created: Iterable[CreatedAsset]) -> int:
    """Announce ``created`` through the task's ``outlets``; returns how many alias events were added.

    Each ``AssetAlias`` outlet gets one event per created asset (with its ``extra``); an ``Asset`` outlet whose URI
    is a created one gets that ``extra`` on the event Airflow emits for it. Other outlets are left as declared.
    Outside a task run (no ``outlet_events`` in the context) nothing happens.

    :param outlets: the operator's ``outlets``.
    :param context: the task's context.
    :param created: what the operator created.
    """
    events = context.get("outlet_events")
    outlets = list(outlets or ())
    if events is None or not outlets:
        return 0
    from airflow.sdk import Asset, AssetAlias

    created = list(created)
    added = 0
    for outlet in outlets:
        if isinstance(outlet, AssetAlias):
            for item in created:
                events[outlet].add(Asset(item.uri), extra=dict(item.extra))
                added += 1
        elif isinstance(outlet, Asset):
            for item in created:
                if Asset(item.uri).uri == outlet.uri:
                    events[outlet].extra.update(item.extra)
    return added


def announce_post(operator: Any, context: Mapping[str, Any], url: str | None, **extra: Any) -> None:
    """Announce a published post (VK, X, OK) through the operator's outlets: the asset is the post's URL, its
    ``extra`` has ``url`` and what else is given, so a DAG can run on "the announcement was published".

    :param operator: the posting operator (its ``outlets`` say where the event goes).
    :param context: the task's context.
    :param url: the post's URL (nothing is announced without one).
    :param extra: more of the event's extra (JSON values).
    """
    if url:
        emit_assets(getattr(operator, "outlets", ()), context, [CreatedAsset(url, {"url": url, **extra})])


def announce_output(operator: Any, target: Any, extra: dict[str, Any], context: Mapping[str, Any] | None = None
                    ) -> None:
    """Announce a file an operator wrote (an export, a results file) through its outlets.

    :param operator: the operator (its ``outlets`` say where the event goes; none: nothing happens).
    :param target: what was written: an ``ObjectStoragePath`` or a local path.
    :param extra: the event's extra (JSON values).
    :param context: the task's context; by default Airflow's current one (none outside a task run: nothing
        happens).
    """
    if not getattr(operator, "outlets", None):
        return
    if context is None:
        from airflow.sdk import get_current_context

        try:
            context = get_current_context()
        except RuntimeError:  # execute() called outside a task run: no outlet events to add to
            return
    emit_assets(operator.outlets, context, [CreatedAsset(target_uri(target), extra)])
