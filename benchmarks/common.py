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
