"""Shared pieces for the X tests: tiny valid media files and a connection factory."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

from airflow_provider_social.sandbox import twitter as x_sandbox

SCOPE = x_sandbox.DEFAULT_SCOPE


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(
        b"IEND", b""
    )


GIF_BYTES = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def write_png(directory: Path, name: str = "a.png") -> Path:
    path = directory / name
    path.write_bytes(png_bytes())
    return path


def write_gif(directory: Path, name: str = "a.gif") -> Path:
    path = directory / name
    path.write_bytes(GIF_BYTES)
    return path


def write_video(directory: Path, size: int, name: str = "v.mp4", valid: bool = True) -> Path:
    path = directory / name
    head = b"\x00\x00\x00\x18ftypmp42" if valid else b"not a video file"
    with open(path, "wb") as fh:
        fh.write(head)
        fh.write(os.urandom(min(size - len(head), 1024)))
        fh.truncate(size)
    return path


def x_connection(sandbox, make_connection, conn_id: str = "twitter_test", *, tokens=None, **extra) -> str:
    """A twitter connection to the sandbox with OAuth 2.0 tokens (minted) and the OAuth 1.0a keys."""
    if tokens is None:
        tokens = sandbox.control.mint_tokens("twitter", scope=SCOPE)
    fields = {
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
        "access_token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "expires_at": sandbox.state.clock.now() + tokens["expires_in"],
        "oauth_consumer_key": x_sandbox.SANDBOX_CONSUMER_KEY,
        "oauth_consumer_secret": x_sandbox.SANDBOX_CONSUMER_SECRET,
        "oauth_token": x_sandbox.SANDBOX_OAUTH_TOKEN,
        "oauth_token_secret": x_sandbox.SANDBOX_OAUTH_TOKEN_SECRET,
        "api_base_url": f"{sandbox.base_url}/x-api",
        "upload_base_url": f"{sandbox.base_url}/x-upload",
        "authorize_url": f"{sandbox.base_url}/x/i/oauth2/authorize",
        "max_retry_wait": 5,
    }
    fields.update(extra)
    return make_connection(conn_id, "twitter", **{k: v for k, v in fields.items() if v is not None})
