"""The sandbox's connections send the browser back to a port the sandbox itself does not listen on, so
`airflow social auth twitter|vk|ok` against a sandbox on its default port (8765) can serve the callback."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from airflow_provider_social.core.loopback import is_loopback_http
from airflow_provider_social.sandbox.connections import SANDBOX_CALLBACK_PORT, sandbox_connections


@pytest.mark.parametrize("port", [8765, SANDBOX_CALLBACK_PORT, 9000])
def test_redirect_uris_never_use_the_sandboxs_own_port(sandbox, port):
    conns = sandbox_connections(f"http://127.0.0.1:{port}", sandbox.control)
    redirects = {conn_id: conn["extra"]["redirect_uri"] for conn_id, conn in conns.items()
                 if "redirect_uri" in conn["extra"]}
    assert set(redirects) == {"twitter_default", "vk_default", "odnoklassniki_default"}
    for conn_id, uri in redirects.items():
        assert is_loopback_http(uri, literals_only=True), conn_id
        assert urlsplit(uri).port != port, f"{conn_id}: {uri} is the sandbox's own port"
