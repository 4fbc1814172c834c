"""A strict ``multipart/form-data`` parser shared by the sandboxes that take file uploads (X media, OK photos)."""

from __future__ import annotations

import re


def parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[bytes, str | None]]:
    """Strict multipart/form-data parser: name -> (value, filename). Repeated names are refused."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise ValueError("multipart body without a boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    parts: dict[str, tuple[bytes, str | None]] = {}
    position = body.find(delimiter)
    if position < 0:
        raise ValueError("boundary not found in the body")
    position += len(delimiter)
    while True:
        if body[position:position + 2] == b"--":
            return parts
        if body[position:position + 2] != b"\r\n":
            raise ValueError("malformed multipart delimiter")
        header_end = body.find(b"\r\n\r\n", position + 2)
        if header_end < 0:
            raise ValueError("malformed multipart headers")
        headers = body[position + 2:header_end].decode("utf-8", "replace")
        next_delimiter = body.find(b"\r\n" + delimiter, header_end + 4)
        if next_delimiter < 0:
            raise ValueError("unterminated multipart part")
        value = body[header_end + 4:next_delimiter]
        disposition = next(
            (line for line in headers.split("\r\n") if line.lower().startswith("content-disposition:")), ""
        )
        name_match = re.search(r'\bname="([^"]*)"', disposition)
        if not name_match:
            raise ValueError("multipart part without a name")
        filename_match = re.search(r'\bfilename="([^"]*)"', disposition)
        name = name_match.group(1)
        if name in parts:
            raise ValueError(f"multipart field {name!r} repeated")
        parts[name] = (value, filename_match.group(1) if filename_match else None)
        position = next_delimiter + 2 + len(delimiter)

