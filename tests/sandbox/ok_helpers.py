"""A tiny, independent OK client for the sandbox tests: signs with the published algorithm."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import requests

from airflow_provider_social.sandbox.ok import SANDBOX_APP_ID, SANDBOX_APP_KEY, SANDBOX_APP_SECRET

REDIRECT_URI = "http://127.0.0.1:8765/callback"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def sign(params: dict[str, Any], access_token: str, secret: str = SANDBOX_APP_SECRET) -> str:
    session_secret = hashlib.md5((access_token + secret).encode()).hexdigest()
    joined = "".join(f"{k}={params[k]}" for k in sorted(params))
    return hashlib.md5((joined + session_secret).encode()).hexdigest()


@dataclass
class Ok:
    base_url: str

    def call(self, method: str, token: str, *, sig: str | None = None, rest: bool = False, **params: Any
             ) -> requests.Response:
        data = {"application_key": SANDBOX_APP_KEY, "format": "json", **{k: str(v) for k, v in params.items()}}
        if not rest:
            data["method"] = method
        data["sig"] = sig if sig is not None else sign(data, token)
        data["access_token"] = token
        url = f"{self.base_url}/ok-api/fb.do"
        if rest:
            group, name = method.split(".", 1)
            url = f"{self.base_url}/ok-api/api/{group}/{name}"
        return requests.post(url, data=data, timeout=10)

    def ok(self, method: str, token: str, **params: Any) -> Any:
        response = self.call(method, token, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert not (isinstance(body, dict) and "error_code" in body), body
        return body

    def authorize(self, **params: str) -> requests.Response:
        query = {"client_id": SANDBOX_APP_ID, "scope": "VALUABLE_ACCESS;PHOTO_CONTENT", "response_type": "code",
                 "redirect_uri": REDIRECT_URI, "layout": "w", "state": "st", **params}
        return requests.get(f"{self.base_url}/ok-connect/oauth/authorize",
                            params={k: v for k, v in query.items() if v is not None}, allow_redirects=False,
                            timeout=10)

    def token(self, **form: str) -> requests.Response:
        return requests.post(f"{self.base_url}/ok-api/oauth/token.do", data=form, timeout=10)

    def upload(self, url: str, files: dict[str, tuple[str, bytes]]) -> requests.Response:
        return requests.post(url, files={k: (name, data, "image/png") for k, (name, data) in files.items()},
                             timeout=10)


def assert_ok_error(response: requests.Response, code: int) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error_code"] == code, body
    assert response.headers["invocation-error"] == str(code)
    assert set(body) == {"error_code", "error_msg", "error_data"}
    return body


def attachment(*media: dict[str, Any], **top: Any) -> str:
    return json.dumps({"media": list(media), **top})
