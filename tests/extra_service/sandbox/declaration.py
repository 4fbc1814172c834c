"""The extra service's sandbox as the provider declares it: nothing mounted, and the connection reaching it."""

from __future__ import annotations

from typing import Any

from airflow_provider_social.sandbox.connections import SandboxConnection
from airflow_provider_social.sandbox.control import SandboxControl
from airflow_provider_social.sandbox.state import SandboxService


def settings(base_url: str) -> dict[str, Any]:
    return {"extra": {"client_id": "sandbox-example", "api_base_url": f"{base_url}/example-api",
                      "oauth_base_url": f"{base_url}/example-id"}}


def with_tokens(control: SandboxControl, settings: dict[str, Any]) -> dict[str, Any]:
    return {"extra": {**settings["extra"], "api_key": "sandbox-example-key"}}


SANDBOX = SandboxService(specs=(), connection=SandboxConnection("example_social_default", settings, with_tokens))
