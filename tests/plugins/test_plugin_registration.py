"""The plugin is declared once (an entry point, loaded in every configuration), and mounts where the API server
allows."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from airflow_provider_social.get_provider_info import get_provider_info

CLASS = "airflow_provider_social.plugins.plugin.SocialCredentialsPlugin"


def test_declared_once_as_an_entry_point():
    # Declared as the provider's "plugins" entry as well, it loaded twice with lazy_discover_providers = False.
    assert "plugins" not in get_provider_info()
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    module, attr = project["project"]["entry-points"]["airflow.plugins"]["social_credentials"].split(":")
    assert f"{module}.{attr}" == CLASS


def test_fastapi_app_and_navigation_entries():
    module, _, name = CLASS.rpartition(".")
    plugin = getattr(importlib.import_module(module), name)
    (app,) = plugin.fastapi_apps
    prefix = app["url_prefix"]
    assert prefix == "/social-auth" and not prefix.startswith(("/api/v2", "/ui", "/execution", "/auth", "/pluginsv2"))
    hrefs = {view["href"] for view in plugin.external_views}
    assert hrefs == {f"{prefix}/", f"{prefix}/health"}
    assert all(view["destination"] == "nav" for view in plugin.external_views)
    # Airflow frames url_route views in an iframe without allow-top-navigation: "Authorize" could not leave it.
    (authorise,) = [view for view in plugin.external_views if view["href"] == f"{prefix}/"]
    assert "url_route" not in authorise


@pytest.mark.parametrize("lazy", [True, False], ids=["lazy-discovery", "eager-discovery"])
def test_loads_once_without_an_import_error_whatever_the_provider_discovery(monkeypatch, lazy):
    from airflow import plugins_manager, settings

    monkeypatch.setattr(settings, "LAZY_LOAD_PROVIDERS", lazy)
    plugins_manager._get_plugins.cache_clear()
    try:
        plugins, import_errors = plugins_manager._get_plugins()
    finally:
        plugins_manager._get_plugins.cache_clear()
    assert [plugin.name for plugin in plugins].count("social_credentials") == 1
    assert not [error for error in import_errors.values() if "social_credentials" in error], import_errors
