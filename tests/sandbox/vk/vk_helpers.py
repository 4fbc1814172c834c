"""A tiny VK client for the sandbox tests (plain requests) and image-header builders."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Any

import requests

from airflow_provider_social.sandbox.control import SandboxControl
from airflow_provider_social.sandbox.vk.errors import METHOD_MIN_VERSION

V = "5.199"
GROUP_ID = 1000001


@dataclass
class Vk:
    base_url: str
    control: SandboxControl
    user: str  # user 1's key (admin of the community, every right)
    community: str  # the community's key

    def raw(self, method: str, token: str | None = None, http: str = "POST", **params: Any) -> dict[str, Any]:
        data = {k: str(v) for k, v in params.items() if v is not None}
        data.setdefault("v", METHOD_MIN_VERSION.get(method, V))  # as the hook does: a later v where VK needs it
        if data["v"] == "":
            del data["v"]
        if token is not None:
            data["access_token"] = token
        url = f"{self.base_url}/vk-api/method/{method}"
        if http == "GET":
            response = requests.get(url, params=data, timeout=10)
        else:
            response = requests.post(url, data=data, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def ok(self, method: str, token: str | None = None, **params: Any) -> Any:
        body = self.raw(method, self.user if token is None else token, **params)
        assert "response" in body, body
        return body["response"]

    def err(self, method: str, token: str | None = None, **params: Any) -> dict[str, Any]:
        body = self.raw(method, self.user if token is None else token, **params)
        assert "error" in body, body
        return body["error"]

    def upload(self, url: str, files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        response = requests.post(url, files=files, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, **params: Any) -> int:
        params.setdefault("owner_id", -GROUP_ID)
        params.setdefault("from_group", 1)
        return int(self.ok("wall.post", **params)["post_id"])

    def wall_photo(self, image: bytes | None = None) -> dict[str, Any]:
        server = self.ok("photos.getWallUploadServer", group_id=GROUP_ID)
        uploaded = self.upload(server["upload_url"], {"photo": ("a.png", image or png(100, 80))})
        return self.ok("photos.saveWallPhoto", group_id=GROUP_ID, **uploaded)[0]


def png(width: int, height: int, pad: int = 0) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\x00" * pad + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"
