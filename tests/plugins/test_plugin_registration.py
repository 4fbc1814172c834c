"""The plugin is declared both ways Airflow loads plugins, and mounts where the API server allows."""

from __future__ import annotations

import importlib
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from airflow_provider_social.get_provider_info import get_provider_info

CLASS = "airflow_provider_social.plugins.plugin.SocialCredentialsPlugin"


def test_declared_as_provider_plugin_and_entry_point():
    assert {"name": "social_credentials", "plugin-class": CLASS} in get_provider_info()["plugins"]
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
