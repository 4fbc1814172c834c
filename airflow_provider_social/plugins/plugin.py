"""The Airflow plugin: the credentials app on the API server and its entry in the navigation.

Declared once, as an ``airflow.plugins`` entry point (``pyproject.toml``), which Airflow loads in every
configuration. Not also as the provider's ``plugins`` entry: with ``[core] lazy_discover_providers = False`` Airflow
loads both and reports "Plugin 'social_credentials' already registered" as a plugin import error.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from airflow_provider_social.plugins import access_log, event_delivery
from airflow_provider_social.plugins.app import URL_PREFIX, create_app

# The callback's query (the spent code, the state) must not reach the API server's access log.
access_log.install()


class SocialCredentialsPlugin(AirflowPlugin):
    """One-click authorisation and the credentials health page of the provider's connections; and the listener
    that records each event watcher's delivered position with the asset event (no event stored twice)."""

    name = "social_credentials"
    listeners = [event_delivery]
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "Social credentials"}]
    external_views = [
        # No url_route: the authorise page opens as a page of its own. Airflow 3.3.2 frames url_route views in an
        # iframe sandboxed without allow-top-navigation/allow-popups, where "Authorize" could not reach the
        # service's consent page (which refuses to be framed anyway).
        {"name": "Social credentials", "href": f"{URL_PREFIX}/", "destination": "nav", "category": "admin"},
        {"name": "Social credentials health", "href": f"{URL_PREFIX}/health", "destination": "nav",
         "category": "admin", "url_route": "social-credentials-health"},
    ]
