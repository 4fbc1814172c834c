"""Reuse the operator tests' sandbox connection and context fixtures."""

from tests.operators.conftest import context, disk_conn  # noqa: F401
