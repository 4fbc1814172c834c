"""Whether operators and sensors defer by default: one reading of Airflow's setting for every service."""

from __future__ import annotations


def default_deferrable() -> bool:
    """Airflow's ``[operators] default_deferrable`` (False unless the deployment turns deferral on everywhere)."""
    from airflow.sdk import conf

    return conf.getboolean("operators", "default_deferrable", fallback=False)


__all__ = ["default_deferrable"]
