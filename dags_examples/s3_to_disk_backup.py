"""Back up an S3 prefix to Yandex Disk with ``ObjectStoragePath`` only: no hook or operator in the DAG.

``yadisk://<connection>@/<folder>`` is an Airflow object store (this provider registers it), so an S3 object is
copied to Disk the way a file is copied between any two stores, streamed, never held in memory:

1. ``copy_prefix`` copies every object under ``params.source`` into ``params.target``/<date>/, keeping the keys'
   relative paths. Each copied file is announced as an Asset event ``yadisk://yandex_disk_default@/...`` (extra:
   size, md5) through the task's ``AssetAlias``, so a DAG scheduled on one of those assets runs after a backup;
   the copy also reports hook lineage (``s3://... -> yadisk://...``) for a lineage backend.
2. ``summarise`` logs what was copied.

The S3 side is the Amazon provider's ``aws`` connection (``aws_default``; ``endpoint_url`` in its extra for an
S3-compatible store). Without the Amazon provider installed (``make demo`` runs against moto's S3 server without it)
the task builds the same s3fs filesystem from that connection itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, AssetAlias, task

BACKUPS = AssetAlias("s3_to_disk_backup")

with DAG(
    dag_id="s3_to_disk_backup",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"source": "s3://aws_default@exports/daily/", "target": "yadisk://yandex_disk_default@/Backups/s3/"},
    tags=["yandex_disk", "s3", "example"],
) as dag:

    @task(outlets=[BACKUPS])
    def copy_prefix(params: dict[str, Any], ds: str, outlet_events: Any = None) -> list[dict[str, Any]]:
        from airflow.sdk import Asset, ObjectStoragePath

        scheme, _, rest = params["source"].partition("://")
        if not _store_known(scheme):  # before the path is built: it resolves its store once
            _attach_s3_from_connection(rest.partition("@")[0] if "@" in rest else "aws_default")
        source = ObjectStoragePath(params["source"])
        target = ObjectStoragePath(params["target"]) / ds
        copied = []
        for item in sorted(source.rglob("*"), key=str):
            if not item.is_file():
                continue
            destination = target / item.key[len(source.key):].lstrip("/")  # the key below the prefix
            item.copy(destination)
            stored = destination.stat()
            extra = {"size": stored["size"], "md5": stored.get("md5"), "source": str(item)}
            outlet_events[BACKUPS].add(Asset(str(destination)), extra=extra)
            copied.append({"from": str(item), "to": str(destination), "size": stored["size"]})
        if not copied:
            raise ValueError(f"source: nothing under {params['source']!r} to back up")
        return copied

    @task
    def summarise(copied: list[dict[str, Any]]) -> None:
        for entry in copied:
            print(f"backed up {entry['from']} -> {entry['to']} ({entry['size']} bytes)")

    summarise(copy_prefix())


def _store_known(scheme: str) -> bool:
    from airflow.sdk.io.fs import has_fs

    return has_fs(scheme)


def _attach_s3_from_connection(conn_id: str) -> None:
    """s3fs from an ``aws`` connection (login/password as keys, ``endpoint_url`` and ``region_name`` in the extra),
    for installations without the Amazon provider, which otherwise does this for ``s3://`` paths."""
    import s3fs
    from airflow.sdk import BaseHook
    from airflow.sdk.io.store import attach

    conn = BaseHook.get_connection(conn_id)
    extra = conn.extra_dejson
    client = {key: extra[key] for key in ("endpoint_url", "region_name") if extra.get(key)}
    attach("s3", conn_id=conn_id, fs=s3fs.S3FileSystem(key=conn.login, secret=conn.password, client_kwargs=client))
