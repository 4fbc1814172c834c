"""Values the shop and ads methods take, checked before any call: whole numbers (ids, roubles), names, and the
shop sync's bound on deletions.

A templated operator argument arrives as a string; ``"12"`` is read as 12, while a boolean, a float, ``"1e3"``,
``"1.5"``, non-ASCII digits such as ``"²"`` (``str.isdigit`` says yes, ``int`` says no) and numbers beyond VK's
64-bit ids are refused, naming the parameter.
"""

from __future__ import annotations

import math
from fractions import Fraction
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


class DeletionBound:
    """How many products one sync may delete: ``count``, or ``fraction`` of the shop's products with a SKU.

    :param count: an absolute bound (None when the bound is a fraction).
    :param fraction: a fraction 0..1, rounded up when applied.
    :param given: the value as the user gave it, for messages.
    """

    def __init__(self, *, count: int | None = None, fraction: Fraction | None = None, given: Any = None) -> None:
        self.count = count
        self.fraction = fraction
        self.given = given

    def allowed(self, shop_size: int) -> int:
        """The most deletions for a shop of ``shop_size`` products with a SKU.

        :param shop_size: the shop's products with a SKU.
        """
        if self.count is not None:
            return self.count
        assert self.fraction is not None
        return math.ceil(self.fraction * shop_size)


def deletion_bound(value: Any) -> DeletionBound:
    """``max_delete`` read: an int (or a string of digits) is a count; a float in 0..1, a decimal string such as
    ``"0.25"`` or a percentage such as ``"25%"`` is a fraction of the shop's products with a SKU.

    :param value: the ``max_delete`` argument.
    """
    problem = (f"expected a count (an int >= 0) or a fraction of the shop's products with a SKU (0..1 or '25%'), "
               f"got {value!r}")
    text = value.strip() if isinstance(value, str) else None
    if isinstance(value, bool):
        raise input_error("max_delete", problem, service=SERVICE)
    if isinstance(value, int) or (text is not None and text.isascii() and text.isdigit()):
        count = int(value)
        if count < 0:
            raise input_error("max_delete", problem, service=SERVICE)
        return DeletionBound(count=count, given=value)
    try:
        if isinstance(value, float):
            fraction = Fraction(str(value)) if math.isfinite(value) else None
        elif text is not None and text.endswith("%"):
            fraction = Fraction(text[:-1].strip()) / 100
        elif text is not None and "." in text:
            fraction = Fraction(text)
        else:
            fraction = None
    except (ValueError, ZeroDivisionError):
        fraction = None
    if fraction is None or not 0 <= fraction <= 1:
        raise input_error("max_delete", problem, service=SERVICE)
    return DeletionBound(fraction=fraction, given=value)


def _preview(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["MAX_ID", "MAX_NAME", "DeletionBound", "ad_name", "deletion_bound", "whole_number"]
