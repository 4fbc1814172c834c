"""Results as plain typed dicts (JSON-serialisable for XCom), one per image, in the order the images were given.

Every result has ``image`` (the caller's name for it: a path, ``disk:/...`` or ``image_<n>`` for bytes), ``ok``
and ``error`` (the service's per-image message when ``ok`` is False).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypedDict

from airflow_provider_social.core.errors import SocialApiError

from .params import SERVICE

#: What the service said about one image: (per-image status, its error, our payload). Status 0 is ok, 1 a
#: permanent error, 2 a temporary one (the image is sent again).
Record = tuple[int, str | None, dict[str, Any]]
#: Reads one answer's body into the record of each image part it names.
Extract = Callable[[dict[str, Any]], dict[str, Record]]


class Label(TypedDict, total=False):
    label: str  # English name ("eng")
    label_ru: str  # Russian name ("rus")
    categories: list[str]
    categories_ru: list[str]
    probability: float
    box: list[int] | None  # [x1, y1, x2, y2]; scenes have none
    plate_types: list[dict[str, Any]]  # car_number only: [{"type": "rus", "prob": 0.99}]


class ObjectsResult(TypedDict):
    image: str
    ok: bool
    error: str | None
    labels: dict[str, list[Label]]  # mode -> labels
    people_count: int | None  # pedestrian mode's count_by_density


class Word(TypedDict, total=False):
    text: str
    probability: float
    box: list[float]
    polygon: list[list[int]]  # scene text: four corners
    lang: str
    lang_probability: float


class Line(TypedDict):
    text: str
    probability: float | None
    box: list[float] | None
    words: list[Word]


class TextResult(TypedDict):
    image: str
    ok: bool
    error: str | None
    text: str
    lines: list[Line]  # detailed document OCR only
    words: list[Word]  # scene text only


class AdultResult(TypedDict):
    image: str
    ok: bool
    error: str | None
    safe: float | None  # confidence there is no 18+ content, 0..1
    is_safe: bool | None  # safe >= threshold


class Person(TypedDict, total=False):
    tag: str  # "person<id>" or "undefined"
    person_id: int | None
    box: list[int]
    confidence: float
    similarity: float
    awesomeness: float
    aliases: list[str]
    sex: str
    age: float
    emotion: str
    valence: float
    arousal: float


class PersonsResult(TypedDict):
    image: str
    ok: bool
    error: str | None
    persons: list[Person]


class PersonSetResult(TypedDict):
    image: str
    person_id: int
    ok: bool
    error: str | None


def label(raw: dict[str, Any]) -> Label:
    out: Label = {"label": str(raw.get("eng", "")), "label_ru": str(raw.get("rus", "")),
                  "categories": list(raw.get("eng_categories") or []),
                  "categories_ru": list(raw.get("rus_categories") or []),
                  "probability": float(raw.get("prob", 0.0)), "box": raw.get("coord")}
    if raw.get("types_prob") is not None:
        out["plate_types"] = list(raw["types_prob"])
    return out


def word(raw: dict[str, Any]) -> Word:
    out: Word = {"text": str(raw.get("text", "")), "probability": float(raw.get("prob", 0.0))}
    coord = raw.get("coord")
    if coord and isinstance(coord[0], list):
        out["polygon"] = coord
    elif coord is not None:
        out["box"] = coord
    if "lang" in raw:
        out["lang"] = str(raw["lang"])
        out["lang_probability"] = float(raw.get("lang_prob", 0.0))
    return out


def line(raw: dict[str, Any]) -> Line:
    words = [word(w) for w in raw.get("words") or []]
    return {"text": " ".join(w["text"] for w in words), "probability": raw.get("line_prob"),
            "box": raw.get("line_coord"), "words": words}


def person(raw: dict[str, Any]) -> Person:
    tag = str(raw.get("tag", "undefined"))
    number = tag[len("person"):] if tag.startswith("person") else ""
    out: Person = {"tag": tag, "person_id": int(number) if number.isdigit() else None}
    names = {"coord": "box", "confidence": "confidence", "similarity": "similarity", "awesomeness": "awesomeness",
             "aliases": "aliases", "sex": "sex", "age": "age", "emotion": "emotion", "valence": "valence",
             "arousal": "arousal"}
    for api, ours in names.items():
        if api in raw:
            out[ours] = raw[api]  # type: ignore[literal-required]
    return out


def objects_reader(payload: Callable[[dict[str, Any]], dict[str, Any]]) -> Extract:
    """Reader of ``body.objects[]``: per image status, error and our payload (built only for status 0).

    :param payload: builds our payload from one ``objects[]`` entry."""

    def extract(body: dict[str, Any]) -> dict[str, Record]:
        return {str(o.get("name")): (int(o.get("status", 1)), o.get("error"), payload(o) if
                                     int(o.get("status", 1)) == 0 else {})
                for o in body.get("objects") or []}

    return extract


def base_result(name: str, record: Record) -> dict[str, Any]:
    """``{"image", "ok", "error"}`` of one image, the part every result starts with.

    :param name: the caller's name for the image.
    :param record: what the service said about it."""
    status, error, _ = record
    if status == 2:
        error = f"temporary error persisted after retries: {error or 'no message'}"
    return {"image": name, "ok": status == 0, "error": None if status == 0 else (error or "failed")}


class VisionImageError(SocialApiError):
    """Some images were refused for good (per-image status 1) or stayed temporarily failing.

    :param message: the summary.
    :param results: every image's result.
    :param failed: image name -> the service's message, for those that failed.
    """

    def __init__(self, message: str, *, results: list[Any], failed: dict[str, str], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.results = results
        self.failed = failed


def raise_for_errors(results: Sequence[Any], operation: str = "recognize") -> None:
    """Raise :class:`VisionImageError` naming every image whose result is not ok.

    :param results: per-image results (each with ``image``, ``ok`` and ``error``).
    :param operation: the operation named in the error."""
    failed = {res["image"]: res.get("error") or "failed" for res in results if not res["ok"]}
    if failed:
        shown = "; ".join(f"{name}: {error}" for name, error in list(failed.items())[:10])
        raise VisionImageError(f"{len(failed)} of {len(results)} images failed ({shown})", service=SERVICE,
                               operation=operation, results=list(results), failed=failed,
                               hint="per-image errors are the service's own; status 2 errors were retried")
