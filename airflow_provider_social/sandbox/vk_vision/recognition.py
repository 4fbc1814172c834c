"""Deterministic recognitions: every answer is derived from the image bytes, so tests assert exact results.

Rules (sha256 of the image bytes is ``h``; ``n(i)`` is the big-endian integer of ``h[i:i+2]``):

* markers: ``sandbox:<key>=<value>;`` anywhere in the bytes (a PNG ``tEXt`` chunk, a JPEG comment; see
  :mod:`.fixtures`) override what follows: ``nsfw=1`` (unsafe), ``faces=N``, ``face=<identity>``, ``text=<line>|
  <line>``, ``labels=<eng>,<eng>``, ``plate=<number>``, ``temporary=N`` (the first N sightings of these bytes get
  per-image status 2).
* adult: ``safe = 0.5 + n(0) % 5000 / 10000`` (always >= 0.5); with ``nsfw=1``: ``safe = n(0) % 500 / 10000``.
* objects/scenes: ``1 + h[2] % 3`` labels from the mode's table, starting at index ``h[3] % len(table)``, with
  ``prob = 0.5 + n(4+2k) % 5000 / 10000`` for the k-th; boxes inside the image.
* text: ``TEXT_LINES[h[8] % len]`` unless ``text=`` is given; words split on spaces.
* faces: one face per image unless ``faces=N``; the identity is ``face=`` or the hash.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

_MARKER = re.compile(rb"sandbox:([a-z_]+)=([^;\x00]*);")

# (eng, rus, eng_categories, rus_categories), as in the documented examples.
Row = tuple[str, str, list[str], list[str]]
OBJECT_TABLE: list[Row] = [
    ("Person", "Человек", [], []),
    ("Plant", "Растение", ["Plants"], ["Растения"]),
    ("Cat", "Кошка", ["Animals"], ["Животные"]),
    ("Dog", "Собака", ["Animals"], ["Животные"]),
    ("Car", "Автомобиль", ["Vehicles"], ["Транспорт"]),
    ("Chair", "Стул", [], []),
    ("Backpack", "Рюкзак", [], []),
    ("Bicycle", "Велосипед", ["Vehicles"], ["Транспорт"]),
]
SCENE_TABLE: list[Row] = [
    ("Auditorium", "Зрительный зал", [], []),
    ("Movie Theater", "Кинотеатр", [], []),
    ("Rice Paddy", "Рисовое поле", [], []),
    ("Beach", "Пляж", [], []),
    ("Forest", "Лес", [], []),
    ("Street", "Улица", [], []),
]
TEXT_LINES = [
    "Когда пришла весна,",
    "наступили теплые дни.",
    "Hello from the sandbox",
    "SAMSUNG",
]
PLATES = ["A123BC77", "O777OO99", "K001MP50"]


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def markers(data: bytes) -> dict[str, str]:
    return {m.group(1).decode(): m.group(2).decode("utf-8", "replace") for m in _MARKER.finditer(data)}


def _n(h: bytes, i: int) -> int:
    return int.from_bytes(h[i : i + 2], "big")


def adult(data: bytes) -> dict[str, Any]:
    h = digest(data)
    if markers(data).get("nsfw") == "1":
        return {"safe": round(_n(h, 0) % 500 / 10000, 4)}
    return {"safe": round(0.5 + _n(h, 0) % 5000 / 10000, 4)}


def _box(h: bytes, k: int, width: int, height: int) -> list[int]:
    x1 = h[10 + k] % max(1, width // 2)
    y1 = h[11 + k] % max(1, height // 2)
    return [x1, y1, min(width, x1 + 1 + h[12 + k] % max(1, width - x1)),
            min(height, y1 + 1 + h[13 + k] % max(1, height - y1))]


def labels(data: bytes, mode: str, width: int, height: int) -> dict[str, Any]:
    """The per-image object of ``<mode>_labels`` (without status and name)."""
    h, given = digest(data), markers(data)
    if mode == "car_number":
        plate = given.get("plate") or PLATES[h[5] % len(PLATES)]
        return {"labels": [{"eng": plate, "rus": plate, "prob": round(0.5 + _n(h, 4) % 5000 / 10000, 4),
                            "coord": _box(h, 0, width, height), "types_prob": [{"type": "rus", "prob": 0.99}]}]}
    if mode == "pedestrian":
        count = int(given.get("faces", 1))
        found = [{"eng": "Pedestrian", "rus": "Человек", "prob": round(0.5 + _n(h, 4 + 2 * k) % 5000 / 10000, 4),
                  "coord": _box(h, k, width, height)} for k in range(count)]
        return {"labels": found, "count_by_density": count}
    table = SCENE_TABLE if mode == "scene" else OBJECT_TABLE
    if "labels" in given:
        picked = [next((row for row in table if row[0] == name), (name, name, [], []))
                  for name in given["labels"].split(",") if name]
    else:
        start = h[3] % len(table)
        picked = [table[(start + k) % len(table)] for k in range(1 + h[2] % 3)]
    found = []
    for k, (eng, rus, eng_cat, rus_cat) in enumerate(picked):
        label: dict[str, Any] = {"eng": eng, "rus": rus, "eng_categories": eng_cat, "rus_categories": rus_cat,
                                 "prob": round(0.5 + _n(h, 4 + 2 * k) % 5000 / 10000, 4)}
        if mode != "scene":  # scenes have no boxes in the documented answers
            label["coord"] = _box(h, k, width, height)
        found.append(label)
    return {"labels": found}


def text_lines(data: bytes) -> list[str]:
    h, given = digest(data), markers(data)
    if "text" in given:
        return [line for line in given["text"].split("|")]
    return [TEXT_LINES[h[8] % len(TEXT_LINES)]]


def document_text(data: bytes, detailed: bool, width: int, height: int) -> dict[str, Any]:
    lines = text_lines(data)
    result: dict[str, Any] = {"text": "\n".join(lines)}
    if detailed:
        h = digest(data)
        result["results"] = [
            {"words": [{"coord": _box(h, w, width, height), "prob": 0.9998, "text": word,
                        "lang_prob": 0.9998, "lang": _lang(word)} for w, word in enumerate(line.split())],
             "line_prob": 0.9997, "line_coord": _box(h, i, width, height)}
            for i, line in enumerate(lines)
        ]
    return result


def scene_words(data: bytes, width: int, height: int) -> dict[str, Any]:
    h = digest(data)
    words = [word for line in text_lines(data) for word in line.split()]
    found = []
    for k, word in enumerate(words):
        x1, y1, x2, y2 = _box(h, k, width, height)
        found.append({"coord": [[x1, y1], [x2, y1], [x2, y2], [x1, y2]], "prob": 0.9948, "text": word})
    return {"words": found}


def _lang(word: str) -> str:
    if any("а" <= ch.lower() <= "я" or ch.lower() == "ё" for ch in word):
        return "rus"
    if any("a" <= ch.lower() <= "z" for ch in word):
        return "eng"
    return "unknown"


def faces(data: bytes) -> list[str]:
    """One identity per face found in the image."""
    given = markers(data)
    count = int(given.get("faces", 1))
    identity = given.get("face") or digest(data).hex()
    return [identity if k == 0 else f"{identity}#{k}" for k in range(count)]


def face_details(data: bytes, k: int, width: int, height: int, searcher: int) -> dict[str, Any]:
    h = digest(data)
    person: dict[str, Any] = {"coord": _box(h, k, width, height), "confidence": 0.99917,
                              "awesomeness": round(_n(h, 6) % 10000 / 10000, 4)}
    if searcher == 1:
        person.update(sex="female" if h[7] % 2 else "male", age=18 + h[8] % 50,
                      emotion=["Neutral", "Happiness", "Surprise"][h[9] % 3], valence=0.1, arousal=0.2)
    return person
