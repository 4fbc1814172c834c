"""The extra service's hook: the shared base, its connection type and endpoints."""

from __future__ import annotations

from airflow_provider_social.hooks.base import SocialHook


class ExampleHook(SocialHook):
    """Example Social (test tree only)."""

    conn_type = "example_social"
    conn_name_attr = "example_social_conn_id"
    default_conn_name = "example_social_default"
    hook_name = "Example Social"
    service_name = "Example"
    default_endpoints = {"api_base_url": "https://api.example.test", "oauth_base_url": "https://id.example.test"}
