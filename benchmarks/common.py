"""Shared pieces for benchmarks: the result record and small measuring helpers."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

#: Run in a child process before anything is timed, so that it starts as an Airflow task's process does: the task
#: runner loads Airflow's plugins (for its listener manager) before the operator runs, and the hook lineage that
#: Yandex Disk transfers report consults them. Without it the first transfer in a bare process pays for loading them
#: inside the timed window: 0.7-1.1 s and 40 MiB of RSS here, about four times a 1 GiB upload to the sink.
AS_IN_A_TASK = "from airflow.sdk.listener import get_listener_manager; get_listener_manager()"

#: Seconds between two clients that share a VK token in one benchmark (ours and vk_api): the token's one-second
#: window, and a little more. Only our limiter knows our sends, so the sandbox would count the other's last second
#: against our first.
TOKEN_WINDOW_S = 1.1

#: Defines, in a child process, ``rss_mib()`` (``VmRSS``: its memory now) and ``peak_rss_mib()`` (``VmHWM``: the
#: kernel's high-water mark of its own memory). Not ``ru_maxrss`` for the peak: Linux carries the parent's peak into
#: a process it starts (fork or vfork, then exec), so a child of a parent that had grown to 300 MiB reports at least
#: that whatever it uses itself. In a full `make bench`, where run.py has grown by the time the later modules run,
#: an X upload process of 120 MiB reported 236.
PEAK_RSS = r"""
def _status_mib(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")

def rss_mib():
    return _status_mib("VmRSS")

def peak_rss_mib():
    return _status_mib("VmHWM")
"""


@dataclass
class Result:
    """One measurement. ``ratio`` = value / reference, or reference / value when ``higher_is_better`` is False
    for the reference-relative reading; it is stated explicitly so nobody has to guess the direction."""

    name: str
    value: float
    unit: str
    reference: str  # what we compared with, in words, measured in the same run
    reference_value: float | None
    ratio: float | None
    target: str = ""
    note: str = ""  # what else the reader needs beside the figure (e.g. garbage collections inside the window)

    def as_dict(self) -> dict:
        return {
            "value": round(self.value, 3),
            "unit": self.unit,
            "reference": self.reference,
            "reference_value": None if self.reference_value is None else round(self.reference_value, 3),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "target": self.target,
            **({"note": self.note} if self.note else {}),
        }

    def describe(self) -> str:
        ratio = "" if self.ratio is None else f"  ratio {self.ratio:.3f}"
        note = f"\n  {'':36} ({self.note})" if self.note else ""
        head = f"{self.name:36} {self.value:10.2f} {self.unit:6} vs {self.reference}"
        return f"{head}{ratio}  [target {self.target}]{note}"


def run_python(code: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh interpreter (cold imports) and return its stdout."""
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run(
        [PYTHON, "-c", code], check=True, capture_output=True, text=True, env=full_env
    ).stdout


def median(values: list[float]) -> float:
    return statistics.median(values)


def start_sandbox() -> tuple[subprocess.Popen[str], str]:
    """The sandbox in a process of its own on a free loopback port: (the process, its base URL)."""
    from scripts.local_airflow import start_sandbox as start

    return start(dict(os.environ, PYTHONPATH=str(ROOT)))
