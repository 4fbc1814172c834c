"""The one loopback definition: tolerant for the CLI's listener, literals-only for the sandbox's server."""

from __future__ import annotations

import pytest
import requests

from airflow_provider_social.core.loopback import is_loopback, is_loopback_http


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "example.com", "localhost.example.com", ""])
def test_other_hosts(host):
    assert not is_loopback(host)


@pytest.mark.parametrize(
    ("uri", "tolerant", "strict"),
    [
        ("http://127.0.0.1:8765/callback", True, True),
        ("http://[::1]:8765/callback", True, True),
        ("http://localhost/callback", True, True),
        ("http://127.0.0.2:8765/callback", True, False),
        ("https://127.0.0.1:8765/callback", False, False),
        ("http://127.0.0.1:8765/callback#x", False, False),
        ("http://user@127.0.0.1:8765/callback", False, False),
        ("http://127.0.0.1:port/callback", False, False),
        ("http://example.com/callback", False, False),
    ],
)
def test_loopback_redirect_uris(uri, tolerant, strict):
    assert is_loopback_http(uri) is tolerant
    assert is_loopback_http(uri, literals_only=True) is strict


def test_the_sandbox_takes_the_strict_reading(sandbox):
    """Any loopback port for the sandbox's own client, but only on the RFC 8252 literals."""

    def authorize(redirect_uri):
        return requests.get(f"{sandbox.base_url}/x/i/oauth2/authorize", allow_redirects=False, timeout=10, params={
            "response_type": "code", "client_id": "sandbox-client", "redirect_uri": redirect_uri,
            "scope": "tweet.read", "state": "s", "code_challenge": "c" * 43, "code_challenge_method": "plain"})

    assert authorize("http://127.0.0.1:9999/callback").status_code in (302, 303)
    refused = authorize("http://127.0.0.2:9999/callback")
    assert refused.status_code == 400 and "location" not in refused.headers
