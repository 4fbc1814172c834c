"""A typed product description for the VK market (replaces the seed library's ``GetProductDescription`` map).

Limits are VK's schema's for ``market.add`` / ``market.edit`` (``VKCOM/vk-api-schema`` 5.199, market/methods.json):
name 4..100 characters, description at least 10, price and old price 0..999999999999 (roubles; kopecks allowed),
at most 4 extra photos, url at most 320 characters, sku at most 50, stock -1..999999 (-1 = unlimited),
dimensions 0..100000 mm each and weight 0..100000000 g, given all four together (error 1429), at most 2 variants.
Photos are local files uploaded through the product-photo flow (at least 400 x 400 px: VK's documented product
minimum, UNCONFIRMED for the current upload host) or ids of photos saved before.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.rendered import rendered_value
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE

MAX_PRICE = Decimal("999999999999")
MAX_EXTRA_PHOTOS = 4
MIN_PHOTO_SIDE = 400


def _err(prefix: str, name: str, problem: str) -> Exception:
    return input_error(f"{prefix}{name}", problem, service=SERVICE)


@dataclass(frozen=True)
class Product:
    """One product of the community shop.

    :param name: 4..100 characters.
    :param description: at least 10 characters.
    :param category_id: a leaf id of ``market.getCategories``.
    :param price: roubles (``Decimal``, int, float or a string such as ``"199.90"``), 0..999999999999.
    :param old_price: the crossed-out price, same range.
    :param sku: the article, at most 50 characters (the sync key of ``VkMarketSyncOperator``).
    :param stock_amount: items in stock, -1 (unlimited) .. 999999.
    :param url: a link for the product's button, at most 320 characters.
    :param dimensions: ``(width, height, length)`` in mm, each 0..100000; needs ``weight``.
    :param weight: grams, 0..100000000; needs ``dimensions``.
    :param main_photo: a local image file uploaded as the main photo.
    :param photos: up to 4 local image files uploaded as extra photos.
    :param main_photo_id: an already saved product photo id (instead of ``main_photo``).
    :param photo_ids: already saved extra photo ids.
    :param variant_ids: up to 2 property variant ids.
    :param disabled: hidden from the shop (VK's ``deleted`` flag).
    :param album_ids: the collections the product belongs to: it is put in them when added, and on edit it is added
        to the missing ones and removed from the others. None (the default) leaves an edited product's collections
        as they are; an empty list takes it out of every collection.
    :param is_main_variant: the product shown for its variant group (VK's ``is_main_variant``); None leaves it.
    """

    name: str
    description: str
    category_id: int
    price: Decimal = Decimal(0)
    old_price: Decimal | None = None
    sku: str | None = None
    stock_amount: int | None = None
    url: str | None = None
    dimensions: tuple[int, int, int] | None = None
    weight: int | None = None
    main_photo: str | None = None
    photos: tuple[str, ...] = ()
    main_photo_id: int | None = None
    photo_ids: tuple[int, ...] = ()
    variant_ids: tuple[int, ...] = ()
    disabled: bool = False
    album_ids: tuple[int, ...] | None = field(default=None)
    is_main_variant: bool | None = None

    def __post_init__(self) -> None:
        for name in ("price", "old_price"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                object.__setattr__(self, name, _money(value, "product.", name))
        for name in ("photos", "photo_ids", "variant_ids"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.album_ids is not None:
            object.__setattr__(self, "album_ids", tuple(self.album_ids))

    # ------------------------------------------------------------------------------------------ building
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, where: str = "product") -> Product:
        """A product from a catalogue row (dict, JSON object or CSV row), checked.

        :param data: keys as the dataclass fields; ``title`` is read as ``name``; ``width``/``height``/``length``
            are read as ``dimensions``; CSV strings are converted; ``photos``, ``photo_ids``, ``variant_ids`` and
            ``album_ids`` may be ``;``- or ``,``-separated strings.
        :param where: how errors name this product, e.g. ``catalogue[3]``.
        """
        if not isinstance(data, Mapping):
            raise input_error(where, f"expected a mapping of product fields, got {type(data).__name__}",
                              service=SERVICE)
        row = {k: v for k, v in data.items() if v not in (None, "")}
        if "title" in row and "name" not in row:
            row["name"] = row.pop("title")
        sizes = [row.pop(k, None) for k in ("width", "height", "length")]
        if any(s is not None for s in sizes):
            if "dimensions" in row or any(s is None for s in sizes):
                raise _err(f"{where}.", "dimensions", "give width, height and length together")
            row["dimensions"] = sizes
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(key) for key in set(row) - known)
        if unknown:
            raise _err(f"{where}.", unknown[0], f"unknown product field; known: {', '.join(sorted(ROW_KEYS))}")
        prefix = f"{where}."
        for name in ("name", "description", "category_id"):
            if name not in row:
                raise _err(prefix, name, "is required")
        for name in ("name", "description", "sku", "url", "main_photo"):
            if isinstance(row.get(name), (Mapping, list, tuple, set, bytes)):
                raise _err(prefix, name, f"expected text, got {type(row[name]).__name__}")
        for name in ("dimensions", "photos", "photo_ids", "variant_ids", "album_ids"):
            if name in row:  # a list rendered from a template arrives as JSON or a Python repr
                row[name] = rendered_value(row[name], f"{prefix}{name}", service=SERVICE)
        values: dict[str, Any] = {
            "name": str(row["name"]), "description": str(row["description"]),
            "category_id": _int(row["category_id"], prefix, "category_id"),
            "price": _money(row.get("price", 0), prefix, "price"),
        }
        if "old_price" in row:
            values["old_price"] = _money(row["old_price"], prefix, "old_price")
        for name in ("sku", "url", "main_photo"):
            if name in row:
                values[name] = str(row[name])
        for name in ("stock_amount", "weight", "main_photo_id"):
            if name in row:
                values[name] = _int(row[name], prefix, name)
        if "dimensions" in row:
            dims = _items(row["dimensions"])
            if len(dims) != 3:
                raise _err(prefix, "dimensions", "expected (width, height, length)")
            values["dimensions"] = tuple(_int(d, prefix, "dimensions") for d in dims)
        if "photos" in row:
            values["photos"] = tuple(str(p) for p in _items(row["photos"]))
        for name in ("photo_ids", "variant_ids", "album_ids"):
            if name in row:
                values[name] = tuple(_int(v, prefix, name) for v in _items(row[name]))
        for name in ("disabled", "is_main_variant"):
            if name in row:
                values[name] = _flag(row[name], prefix, name)
        product = cls(**values)
        product.validate(where=where)
        return product

    def validate(self, *, where: str = "product") -> None:
        """Refuse values VK would refuse, naming the field and the limit (no network call).

        :param where: how errors name this product.
        """
        p = f"{where}."
        if not 4 <= len(self.name) <= 100:
            raise _err(p, "name", f"must be 4..100 characters, got {len(self.name)}")
        if len(self.description) < 10:
            raise _err(p, "description", f"must be at least 10 characters, got {len(self.description)}")
        if self.category_id < 0:
            raise _err(p, "category_id", "must be a category id >= 0")
        for name in ("price", "old_price"):
            value = getattr(self, name)
            if value is not None and not Decimal(0) <= value <= MAX_PRICE:
                raise _err(p, name, f"must be 0..{MAX_PRICE}, got {value}")
            if value is not None and value != value.quantize(Decimal("0.01")):
                raise _err(p, name, f"has more than 2 decimal places: {value}")
        if self.sku is not None and len(self.sku) > 50:
            raise _err(p, "sku", f"must be at most 50 characters, got {len(self.sku)}")
        if self.stock_amount is not None and not -1 <= self.stock_amount <= 999_999:
            raise _err(p, "stock_amount", f"must be -1 (unlimited) .. 999999, got {self.stock_amount}")
        if self.url is not None and (len(self.url) > 320 or not self.url.startswith(("https://", "http://"))):
            raise _err(p, "url", "must be an http(s) link of at most 320 characters")
        if (self.dimensions is None) != (self.weight is None):
            raise _err(p, "dimensions" if self.dimensions is None else "weight",
                       "VK takes width, height, length and weight all together (error 1429)")
        if self.dimensions is not None and any(not 0 <= d <= 100_000 for d in self.dimensions):
            raise _err(p, "dimensions", "each side must be 0..100000 mm")
        if self.weight is not None and not 0 <= self.weight <= 100_000_000:
            raise _err(p, "weight", "must be 0..100000000 g")
        if self.main_photo is not None and self.main_photo_id is not None:
            raise _err(p, "main_photo", "give main_photo or main_photo_id, not both")
        extra = len(self.photos) + len(self.photo_ids)
        if extra > MAX_EXTRA_PHOTOS:
            raise _err(p, "photos", f"at most {MAX_EXTRA_PHOTOS} extra photos, got {extra}")
        if len(self.variant_ids) > 2:
            raise _err(p, "variant_ids", f"at most 2 variants, got {len(self.variant_ids)}")

    # ------------------------------------------------------------------------------------------ VK form
    def params(self) -> dict[str, Any]:
        """``market.add`` / ``market.edit`` parameters except owner, item and photos."""
        out: dict[str, Any] = {"name": self.name, "description": self.description, "category_id": self.category_id,
                               "price": _price_text(self.price), "deleted": self.disabled}
        if self.old_price is not None:
            out["old_price"] = _price_text(self.old_price)
        for name in ("sku", "stock_amount", "url", "weight"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.dimensions is not None:
            out.update(dimension_width=self.dimensions[0], dimension_height=self.dimensions[1],
                       dimension_length=self.dimensions[2])
        if self.variant_ids:
            out["variant_ids"] = list(self.variant_ids)
        if self.is_main_variant is not None:
            out["is_main_variant"] = self.is_main_variant
        return out

    def differs_from(self, item: Mapping[str, Any]) -> list[str]:
        """Which fields VK returns for ``item`` (a ``market.get`` item) differ from this description. Dimensions,
        weight and photos are not in VK's item object (schema market_market_item), so they are not compared;
        ``album_ids`` is compared when set and the item is an extended one (``albums_ids``), ``is_main_variant``
        when set and the item is in a variant group (an ungrouped product has no main variant).

        :param item: a product as ``market.get`` returns it.
        """
        price = item.get("price") or {}
        theirs = {
            "name": item.get("title"), "description": item.get("description"),
            "category_id": (item.get("category") or {}).get("id"),
            "price": _kopecks(price.get("amount")), "old_price": _kopecks(price.get("old_amount")),
            "sku": item.get("sku") or None, "url": item.get("url") or None,
            "stock_amount": item.get("stock_amount"), "disabled": item.get("availability") not in (0, None),
        }
        ours = {
            "name": self.name, "description": self.description, "category_id": self.category_id,
            "price": int(self.price * 100), "old_price": None if self.old_price is None else int(self.old_price * 100),
            "sku": self.sku, "url": self.url, "stock_amount": self.stock_amount, "disabled": self.disabled,
        }
        changed = [k for k, v in ours.items() if v != theirs[k] and not (k == "stock_amount" and v is None)]
        if ours["old_price"] in (None, 0) and theirs["old_price"] in (None, 0) and "old_price" in changed:
            changed.remove("old_price")
        if self.is_main_variant is not None and item.get("variants_grouping_id") and \
                self.is_main_variant != bool(item.get("is_main_variant")):
            changed.append("is_main_variant")
        if self.album_ids is not None and "albums_ids" in item and \
                set(self.album_ids) != {int(a) for a in item.get("albums_ids") or ()}:
            changed.append("album_ids")
        return changed


def _int(value: Any, prefix: str, name: str) -> int:
    if isinstance(value, bool):
        raise _err(prefix, name, "expected an integer, got a boolean")
    try:
        return int(str(value).strip())
    except ValueError:
        raise _err(prefix, name, f"expected an integer, got {value!r}") from None


def _money(value: Any, prefix: str, name: str) -> Decimal:
    if isinstance(value, bool):
        raise _err(prefix, name, "expected a price, got a boolean")
    try:
        money = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _err(prefix, name, f"expected a price such as 199.90, got {value!r}") from None
    if not money.is_finite():
        raise _err(prefix, name, f"expected a price such as 199.90, got {value!r}")
    return money


def _flag(value: Any, prefix: str, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise _err(prefix, name, f"expected true or false, got {value!r}")


def _items(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    if isinstance(value, (os.PathLike, int)):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    return [value]


def _price_text(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


def _kopecks(amount: Any) -> int | None:
    try:
        return int(amount) if amount not in (None, "") else None
    except (TypeError, ValueError):
        return None


#: The keys a catalogue row may have: the fields, ``title`` for ``name`` and ``width``/``height``/``length``.
ROW_KEYS = frozenset({f.name for f in fields(Product)} | {"title", "width", "height", "length"})

__all__ = ["MAX_EXTRA_PHOTOS", "MIN_PHOTO_SIDE", "ROW_KEYS", "Product"]
