"""Vision's parameters and their checks: light (standard library + ``core.errors``), so operators can validate at
DAG-parse time without importing the hook, its transport or ``requests``.

Facts: shared/reference/vk_ok_vision.md section 2 (vkcs-docs ``ml/vision/instructions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_social.core.errors import input_error

SERVICE = "VK Cloud Vision"
#: ``/api/v1/objects/detect`` ``mode`` values.
OBJECT_MODES = ("object", "object2", "scene", "car_number", "multiobject", "pedestrian")
#: ``/api/v1/scene_text/recognize`` ``lang`` values.
LANGS = ("rus", "eng")
#: ``safe`` at or above this counts as safe (the API's ``safe`` is the confidence that there is no 18+ content).
DEFAULT_SAFE_THRESHOLD = 0.8
#: Face spaces ("0".."9").
SPACES = tuple(str(n) for n in range(10))


def space_param(space: int | str) -> str:
    """``space`` as the API wants it (a string ``"0"``..``"9"``), or an input error naming the field."""
    text = str(space).strip() if not isinstance(space, bool) else ""
    if text not in SPACES:
        raise input_error("space", f"must be a face space from 0 to 9, got {space!r}", service=SERVICE)
    return text


def person_ids_param(person_ids: Sequence[int] | int | str, count: int | None = None) -> list[int]:
    """A non-empty list of person ids (integers >= 0); ``count`` ids when given (one per image).

    A rendered template (a list as JSON or as a Python repr, ``"[1, 2]"``; one id ``"7"``) is accepted.
    """
    from airflow_provider_social.core.rendered import rendered_value

    person_ids = rendered_value(person_ids, "person_ids", service=SERVICE)
    if isinstance(person_ids, str) and person_ids.strip().isdigit() and len(person_ids.strip()) <= 19:
        person_ids = int(person_ids)
    if isinstance(person_ids, int):
        person_ids = [person_ids]
    if not isinstance(person_ids, Sequence) or isinstance(person_ids, str):
        raise input_error("person_ids", f"must be a non-empty list of integers >= 0, got {str(person_ids)[:60]!r}",
                          service=SERVICE)
    ids: list[Any] = list(person_ids)
    if not ids or any(isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < 2**63 for p in ids):
        raise input_error("person_ids", f"must be a non-empty list of integers >= 0, got {person_ids!r}",
                          service=SERVICE)
    if count is not None and len(ids) != count:
        raise input_error("person_ids", f"one id per image is needed: {count} images, {len(ids)} ids",
                          service=SERVICE)
    return ids


def modes_param(modes: Sequence[str] | str) -> list[str]:
    """The detect modes, checked against :data:`OBJECT_MODES`."""
    listed = [modes] if isinstance(modes, str) else list(modes)
    unknown = [m for m in listed if m not in OBJECT_MODES]
    if not listed or unknown:
        raise input_error("modes", f"choose from {', '.join(OBJECT_MODES)}; got {listed!r}", service=SERVICE)
    if "object" in listed and "object2" in listed:
        raise input_error("modes", "object and object2 answer under the same key (object_labels); ask for one",
                          service=SERVICE)
    return list(dict.fromkeys(listed))


def lang_param(lang: str | None) -> str | None:
    """Scene text ``lang``: ``rus``, ``eng`` or None (the service decides)."""
    if lang is not None and lang not in LANGS:
        raise input_error("lang", f"must be 'rus', 'eng' or None, got {lang!r}", service=SERVICE)
    return lang


def threshold_param(threshold: float) -> float:
    """The 18+ gate's threshold: a number from 0 to 1."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise input_error("threshold", f"must be a number from 0 to 1, got {threshold!r}", service=SERVICE)
    return float(threshold)


def searcher_param(searcher: int) -> int:
    """``searcher`` of persons/recognize: 0, or 1 for sex, age and emotion."""
    if isinstance(searcher, bool) or searcher not in (0, 1):
        raise input_error("searcher", f"must be 0 or 1, got {searcher!r}", service=SERVICE)
    return int(searcher)


__all__ = ["DEFAULT_SAFE_THRESHOLD", "LANGS", "OBJECT_MODES", "SERVICE", "SPACES", "lang_param",
           "modes_param", "person_ids_param", "searcher_param", "space_param", "threshold_param"]
