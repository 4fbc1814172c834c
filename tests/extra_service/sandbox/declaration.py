"""The extra service's sandbox as the provider declares it: nothing mounted, and the connection reaching it."""

from __future__ import annotations

from airflow_provider_social.sandbox.connections import SandboxConnection
from airflow_provider_social.sandbox.state import SandboxService

SANDBOX = SandboxService(specs=(), connection=SandboxConnection(
    "example_social_default",
    endpoints={"api_base_url": "/example-api", "oauth_base_url": "/example-id"},
    app={"client_id": "sandbox-example"},
    mint=lambda control: {"extra": {"api_key": "sandbox-example-key"}},  # what a real service would mint
))
