"""Catalogue rows for the shop sync: a list of product dicts, or a ``.json`` / ``.csv`` file as people make them.

Files are UTF-8, with or without a byte order mark (Excel's "CSV UTF-8" writes one); another encoding is read only
when named (``encoding="cp1251"``), because a guessed encoding that is wrong would rename every product in the shop.
A CSV's delimiter is the one of ``,`` ``;`` (Russian Excel's default) and tab that splits the header into the most
columns, unless Excel's ``sep=`` first line or the ``delimiter`` argument names it. Column names are matched without
case or surrounding spaces; an unknown, unnamed or repeated column is an error (a misspelt ``prcie`` column would
otherwise set every price to 0), as is a row with more values than the header has columns.

Rows are named ``catalogue[<n>]``: ``n`` counts products from 0 in the order given (in a CSV, the header and blank
lines are not counted; messages add the file's line).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.rendered import rendered_value
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE
from airflow_provider_social.hooks.vk.products import ROW_KEYS

CSV_DELIMITERS = (",", ";", "\t")
FIELD = "catalogue"


def load_catalogue(catalogue: Any, *, encoding: str | None = None,
                   delimiter: str | None = None) -> list[dict[str, Any]]:
    """Catalogue rows from a list of dicts (or its rendered JSON or Python repr), or a ``.json`` (a list of objects)
    or ``.csv`` (a header row) file.

    :param catalogue: the rows, or a path to the file.
    :param encoding: the file's encoding (default: UTF-8, with or without a byte order mark).
    :param delimiter: the CSV delimiter (default: found from the header row).
    """
    value = rendered_value(catalogue, FIELD, service=SERVICE)
    if isinstance(value, (str, os.PathLike)):
        return _from_file(value, encoding, delimiter)
    if isinstance(value, Mapping) or not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise input_error(FIELD, f"expected a list of product objects or a .json/.csv path, got "
                          f"{type(value).__name__}", service=SERVICE)
    return _checked_rows(value)


def _checked_rows(rows: Sequence[Any]) -> list[dict[str, Any]]:
    for n, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise input_error(f"{FIELD}[{n}]", f"expected a product object, got {type(row).__name__}",
                              service=SERVICE)
    return [dict(row) for row in rows]


def _from_file(value: str | os.PathLike[str], encoding: str | None, delimiter: str | None) -> list[dict[str, Any]]:
    if isinstance(value, str) and not value.strip():
        raise input_error(FIELD, "is empty: give a list of products or a path to a .json or .csv file",
                          service=SERVICE)
    path = Path(value)
    kind = path.suffix.lower()
    if kind not in (".json", ".csv"):
        raise input_error(FIELD, f"expected a .json or .csv file, got {_short(path.name)}", service=SERVICE)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = "no such file" if isinstance(exc, FileNotFoundError) else f"cannot be read ({exc.strerror})"
        raise input_error(FIELD, f"{problem}: {_short(str(path))}", service=SERVICE) from None
    text = _decoded(path.name, data, encoding)
    if kind == ".json":
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise input_error(FIELD, f"{path.name} is not valid JSON: {exc}", service=SERVICE) from None
        if not isinstance(rows, list):
            raise input_error(FIELD, f"{path.name} must hold a JSON list of product objects", service=SERVICE)
        return _checked_rows(rows)
    return _csv_rows(path.name, text, delimiter)


def _decoded(name: str, data: bytes, encoding: str | None) -> str:
    if encoding is None:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            looks = (" and looks like cp1251 (Windows Cyrillic, what Russian Excel saves as plain 'CSV')"
                     if _looks_like_cp1251(data) else "")
            raise input_error(FIELD, f"{name} is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
                              f"{looks}: UTF-8 is expected; save it as 'CSV UTF-8' or pass its encoding, e.g. "
                              "encoding='cp1251'", service=SERVICE) from None
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise input_error("encoding", f"unknown encoding {encoding!r}", service=SERVICE) from None
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise input_error(FIELD, f"{name} is not {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                          service=SERVICE) from None


def _looks_like_cp1251(data: bytes) -> bool:
    """Most high bytes are cp1251's Cyrillic letters (0xC0..0xFF, Ё 0xA8, ё 0xB8)."""
    high = [b for b in data if b >= 0x80]
    return bool(high) and sum(b >= 0xC0 or b in (0xA8, 0xB8) for b in high) >= 0.8 * len(high)


def _csv_rows(name: str, text: str, delimiter: str | None) -> list[dict[str, Any]]:
    first, _, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:  # Excel's delimiter hint
        delimiter = delimiter or first.strip()[4]
        text = rest
        first = rest.partition("\n")[0]
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n"):
        raise input_error("delimiter", f"expected one character such as ',' or ';', got {delimiter!r}",
                          service=SERVICE)
    if delimiter is None:
        delimiter = max(CSV_DELIMITERS, key=lambda d: len(next(csv.reader([first], delimiter=d), [])))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise input_error(FIELD, f"{name} has no header row (the first line names the columns, e.g. "
                          "sku,name,description,category_id,price)", service=SERVICE)
    columns = [cell.strip().lower() for cell in header]
    _check_columns(name, columns)
    rows: list[dict[str, Any]] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue  # a blank line
        if len(values) > len(columns):
            raise input_error(f"{FIELD}[{len(rows)}]", f"{name} line {reader.line_num}: "
                              f"{len(values) - len(columns)} more values than the header has columns (a "
                              f"{delimiter!r} inside a value that is not quoted?)", service=SERVICE)
        rows.append(dict(zip(columns, values, strict=False)))
    return rows


def _check_columns(name: str, columns: list[str]) -> None:
    for n, column in enumerate(columns):
        if not column:
            raise input_error(FIELD, f"{name}: column {n + 1} of the header has no name", service=SERVICE)
        if columns.index(column) != n:
            raise input_error(FIELD, f"{name} has the column {column!r} twice", service=SERVICE)
    unknown = [c for c in columns if c not in ROW_KEYS]
    if unknown:
        listed = ", ".join(repr(c) for c in unknown)
        raise input_error(FIELD, f"{name}: unknown column{'s' if len(unknown) > 1 else ''} {listed}; known: "
                          f"{', '.join(sorted(ROW_KEYS))}", service=SERVICE)


def _short(text: str, limit: int = 80) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 1] + "…")


__all__ = ["CSV_DELIMITERS", "load_catalogue"]
