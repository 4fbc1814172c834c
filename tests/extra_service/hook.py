"""The extra service's hook: the shared base, its connection type and endpoints."""

from __future__ import annotations

from airflow_provider_social.hooks.base import SocialHook
from tests.extra_service.connection import CONNECTION_FORM


class ExampleHook(SocialHook, form=CONNECTION_FORM):
    """Example Social (test tree only): conn_type, hook_name, conn_name_attr and default_conn_name come from the
    connection form."""

    service_name = "Example"
    default_endpoints = {"api_base_url": "https://api.example.test", "oauth_base_url": "https://id.example.test"}
