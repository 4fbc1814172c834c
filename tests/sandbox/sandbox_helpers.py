"""Helpers for the sandbox tests: a tiny client for the Yandex ID flows (uniquely named to avoid clashes)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests

CLIENT_ID = "sandbox-client"
CLIENT_SECRET = "sandbox-secret"
PUBLIC_CLIENT_ID = "sandbox-public-client"
REDIRECT_URI = "http://127.0.0.1:8765/callback"
UNAUTHORIZED_BODY = '{"message":"Не авторизован.","description":"Unauthorized","error":"UnauthorizedError"}'


def pkce_pair(method: str = "S256") -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    if method == "plain":
        return verifier, verifier
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


@dataclass
class Yandex:
    base_url: str

    @property
    def oauth(self) -> str:
        return f"{self.base_url}/yandex-oauth"

    def authorize(self, **params: str) -> requests.Response:
        query = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "state": "st"}
        query.update(params)
        query = {k: v for k, v in query.items() if v is not None}
        return requests.get(f"{self.oauth}/authorize", params=query, allow_redirects=False, timeout=10)

    def code(self, **params: str) -> str:
        query = query_of(self.authorize(**params))
        assert query["state"] == params.get("state", "st")
        return query["code"]

    def token(self, data: dict[str, str], auth: tuple[str, str] | None = None) -> requests.Response:
        return requests.post(f"{self.oauth}/token", data=data, auth=auth, timeout=10)

    def exchange(self, code: str, **extra: str) -> requests.Response:
        data = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
        data["client_secret"] = CLIENT_SECRET
        data.update(extra)
        return self.token({k: v for k, v in data.items() if v is not None})

    def refresh(self, refresh_token: str) -> requests.Response:
        return self.token(
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
        )

    def disk(self, token: str | None, scheme: str = "OAuth", **params: str) -> requests.Response:
        headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
        return requests.get(f"{self.base_url}/yandex-disk/v1/disk", headers=headers, params=params, timeout=10)


def assert_oauth_error(response: requests.Response, error: str, status: int = 400) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    assert isinstance(body["error_description"], str)
    return body
