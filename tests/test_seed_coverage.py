"""docs/seed-coverage.md: every function of the original library (OpenIntegrations' VK, Twitter, Yandex Disk and
Yandex ID modules: the 89 functions of the inventory) has a row, and every hook method, class and command a row
names exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "seed-coverage.md"
HOOKS = {
    "VkHook": "airflow_provider_social.hooks.vk.hook",
    "TwitterHook": "airflow_provider_social.hooks.twitter.hook",
    "YandexDiskHook": "airflow_provider_social.hooks.yandex_disk.hook",
    "Keyboard": "airflow_provider_social.hooks.vk.keyboard",
}
CLASS_MODULES = ("operators.vk", "operators.vk_market", "operators.twitter", "operators.yandex_disk",
                 "operators.refresh", "sensors.yandex_disk", "notifications.vk")
# Functions per module in the original (shared/reference/seed_library_features.md: VK 47 + 5 removed, Twitter 11,
# Yandex Disk 22, Yandex ID 4).
ROWS_PER_SECTION = {"VK": 52, "Twitter/X": 11, "Yandex Disk": 22, "Yandex ID": 4}


def _rows() -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current = ""
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].split(" (")[0]
            sections[current] = []
        elif line.startswith("| ") and not line.startswith(("| original", "|---")):
            sections[current].append([cell.strip() for cell in line.strip("|").split(" | ")])
    return sections


def test_every_function_of_the_original_has_a_row():
    rows = _rows()
    assert {name: len(items) for name, items in rows.items()} == ROWS_PER_SECTION
    for items in rows.values():
        assert all(len(row) == 3 and row[0] and re.fullmatch(r"[A-Za-z]+", row[1]) and row[2] for row in items), items
        assert len({row[1] for row in items}) == len(items)  # no function twice in one module


@pytest.mark.parametrize("name", sorted(set(re.findall(r"`((?:VkHook|TwitterHook|YandexDiskHook|Keyboard)\.\w+)`",
                                                       PAGE.read_text(encoding="utf-8")))))
def test_every_named_method_exists(name):
    cls_name, attr = name.split(".")
    cls = getattr(importlib.import_module(HOOKS[cls_name]), cls_name)
    assert callable(getattr(cls, attr, None)), name


def test_every_named_operator_sensor_and_notifier_exists():
    text = PAGE.read_text(encoding="utf-8")
    named = set(re.findall(r"`(\w+(?:Operator|Sensor|Notifier))`", text))
    found = {name for module in CLASS_MODULES
             for name in dir(importlib.import_module(f"airflow_provider_social.{module}"))}
    assert named and named - found == set()


def test_every_named_command_exists():
    from airflow_provider_social.cli.definition import get_cli_commands

    social = get_cli_commands()[0]
    auth = next(command for command in social.subcommands if command.name == "auth")
    commands = set(re.findall(r"`airflow social auth (\w+)", PAGE.read_text(encoding="utf-8")))
    assert commands and commands - {command.name for command in auth.subcommands} == set()
