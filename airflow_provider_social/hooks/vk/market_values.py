"""Values the shop and ads methods take, checked before any call: whole numbers (ids, roubles) and names.

A templated operator argument arrives as a string; ``"12"`` is read as 12, while a boolean, a float, ``"1e3"``,
``"1.5"``, non-ASCII digits such as ``"²"`` (``str.isdigit`` says yes, ``int`` says no) and numbers beyond VK's
64-bit ids are refused, naming the parameter.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE

MAX_ID = 2**63 - 1  # VK ids are 64-bit integers
MAX_NAME = 60  # campaign and ad names (ads.createCampaigns / ads.createAds)


def whole_number(value: Any, name: str, *, minimum: int = 1, what: str = "a positive id") -> int:
    """``value`` as an int in ``minimum..2**63-1``: an int or a string of ASCII digits (a rendered template), never a
    boolean, a float, ``"1e3"`` or ``"²"``; errors name ``name``.

    :param value: the value as given or rendered.
    :param name: the parameter, named in errors.
    :param minimum: the smallest value taken.
    :param what: what the value is, for the error.
    """
    text = value.strip() if isinstance(value, str) else value
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(text, str) and text.isascii() and text.isdigit():
        number = int(text)
    else:
        raise input_error(name, f"expected {what}, got {_preview(value)}", service=SERVICE)
    if not minimum <= number <= MAX_ID:
        raise input_error(name, f"expected {what} ({minimum}..{MAX_ID}), got {_preview(value)}", service=SERVICE)
    return number


def ad_name(value: Any, name: str) -> str:
    """A campaign or ad name: text of 1..60 characters.

    :param value: the name as given or rendered.
    :param name: the parameter, named in errors.
    """
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        shown = f"{len(value)} characters" if isinstance(value, str) else type(value).__name__
        raise input_error(name, f"must be text of 1..{MAX_NAME} characters, got {shown}", service=SERVICE)
    return value


def _preview(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["MAX_ID", "MAX_NAME", "ad_name", "whole_number"]
