from __future__ import annotations

import json
import struct
import zlib

import pytest

from airflow_provider_social.core.http import RetryPolicy
from airflow_provider_social.core.ratelimit import rate_limiters
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.vk import VkHook

USER_TOKEN = "vk1.a.user-token-secret"
COMMUNITY_TOKEN = "vk1.a.community-token-secret"


@pytest.fixture(autouse=True)
def _fresh_limiters():
    rate_limiters.clear()
    yield
    rate_limiters.clear()


@pytest.fixture
def vk_hook(scripted, make_connection, fake_clock, fake_sleep):
    """A VkHook against the scripted server; keyword arguments become Connection extras (None drops one)."""

    def make(conn_id: str = "vk_test", *, store=None, **extra):
        settings = {"access_token": USER_TOKEN, "community_token": COMMUNITY_TOKEN, "group_id": "club1000001",
                    "api_base_url": scripted.url, "vk_id_base_url": f"{scripted.url}/vk-id", "max_retry_wait": 30}
        settings.update(extra)
        make_connection(conn_id, "vk", **settings)
        return VkHook(conn_id, token_store=store or MemoryTokenStore(), clock=fake_clock, sleep=fake_sleep,
                      retry=RetryPolicy(max_attempts=4, max_total_wait=30))

    return make


def form(request) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(request["body"].decode()))


def vk_error(code: int, message: str, **extra) -> tuple[int, dict, dict]:
    error = {"error_code": code, "error_msg": message,
             "request_params": [{"key": "method", "value": "wall.post"}, {"key": "v", "value": "5.199"}], **extra}
    return (200, {}, {"error": error})


def ok(value) -> tuple[int, dict, dict]:
    return (200, {}, {"response": value})


def png(path, width: int, height: int) -> str:
    """A tiny valid PNG header of the given size (enough for the local checks)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    path.write_bytes(data + b"\x00" * 64)
    return str(path)


__all__ = ["COMMUNITY_TOKEN", "USER_TOKEN", "form", "json", "ok", "png", "vk_error"]
