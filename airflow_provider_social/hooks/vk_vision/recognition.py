"""Recognitions: objects, scenes and car numbers, document text, scene text, 18+ content (one result per image,
in the order the images were given)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import results as r
from .params import DEFAULT_SAFE_THRESHOLD, lang_param, modes_param, threshold_param
from .results import Record, base_result, objects_reader

if TYPE_CHECKING:
    from .images import ImageInput
    from .sending import VisionImages


class VisionRecognition:
    """What is in the images.

    :param images: prepares and sends the images of each call.
    """

    def __init__(self, images: VisionImages) -> None:
        self.images = images

    def detect_objects(self, images: Sequence[ImageInput] | ImageInput,
                       modes: Sequence[str] | str = ("object",)) -> list[r.ObjectsResult]:
        """Objects, scenes, car numbers, people: ``/api/v1/objects/detect`` with ``mode``.

        :param images: local paths, ``disk:/...`` paths (read through ``yandex_disk_conn_id``), bytes or
            ``(name, bytes)``; JPEG, PNG or TIFF, checked before anything is sent.
        :param modes: any of object, object2, scene, car_number, multiobject, pedestrian (object and object2
            not together: both answer under ``object_labels``).
        :return: per image ``{"image", "ok", "error", "labels": {mode: [label, ...]}, "people_count"}``.
        """
        wanted = modes_param(modes)
        sources = self.images.prepare(images)

        def extract(body: dict[str, Any]) -> dict[str, Record]:
            merged: dict[str, Record] = {}
            for key, entries in body.items():
                if not key.endswith("_labels") or not isinstance(entries, list):
                    continue
                mode = key[: -len("_labels")]
                if mode == "object" and "object2" in wanted and "object" not in wanted:
                    mode = "object2"  # object2 answers under object_labels (no object2_labels is documented)
                for entry in entries:
                    name, status = str(entry.get("name")), int(entry.get("status", 1))
                    previous = merged.get(name, (0, None, {"labels": {}, "people_count": None}))
                    worst = previous[0] if previous[0] == 1 or status == 0 else status
                    payload = previous[2]
                    if status == 0:
                        payload["labels"][mode] = [r.label(x) for x in entry.get("labels") or []]
                        if entry.get("count_by_density") is not None:
                            payload["people_count"] = int(entry["count_by_density"])
                    merged[name] = (worst, entry.get("error") or previous[1], payload)
            return merged

        records = self.images.recognise("objects", sources, {"mode": wanted}, extract)
        out: list[r.ObjectsResult] = []
        for source in sources:
            record = records[source.name]
            payload = record[2] if record[0] == 0 else {}
            out.append({**base_result(source.name, record), "labels": payload.get("labels", {}),  # type: ignore[typeddict-item]
                        "people_count": payload.get("people_count")})
        return out

    def recognize_text(self, images: Sequence[ImageInput] | ImageInput, *,
                       detailed: bool = False) -> list[r.TextResult]:
        """Document OCR (``/api/v1/text/recognize``).

        :param images: local paths, ``disk:/...`` paths (read through ``yandex_disk_conn_id``), bytes or
            ``(name, bytes)``; JPEG, PNG or TIFF, checked before anything is sent.
        :param detailed: send ``mode: "detailed"``: ``lines`` with their words, boxes, probabilities and language.
        :return: per image ``{"image", "ok", "error", "text", "lines", "words": []}``.
        """
        sources = self.images.prepare(images)
        meta = {"mode": "detailed"} if detailed else {}
        extract = objects_reader(lambda o: {"text": o.get("text") or "",
                                            "lines": [r.line(x) for x in o.get("results") or []]})
        records = self.images.recognise("text", sources, meta, extract)
        return [{**base_result(s.name, records[s.name]), "text": records[s.name][2].get("text", ""),  # type: ignore[typeddict-item]
                 "lines": records[s.name][2].get("lines", []), "words": []} for s in sources]

    def recognize_scene_text(self, images: Sequence[ImageInput] | ImageInput, *,
                             lang: str | None = None) -> list[r.TextResult]:
        """Text in photos and handwriting (``/api/v1/scene_text/recognize``).

        :param images: local paths, ``disk:/...`` paths (read through ``yandex_disk_conn_id``), bytes or
            ``(name, bytes)``; JPEG, PNG or TIFF, checked before anything is sent.
        :param lang: ``rus`` or ``eng`` (sent as meta ``lang``); None lets the service decide.
        :return: per image ``{"image", "ok", "error", "text", "lines": [], "words": [{"text", "probability",
            "polygon"}]}``.
        """
        lang_param(lang)
        sources = self.images.prepare(images)
        extract = objects_reader(lambda o: {"words": [r.word(w) for w in o.get("words") or []]})
        records = self.images.recognise("scene_text", sources, {"lang": lang} if lang else {}, extract)
        out: list[r.TextResult] = []
        for s in sources:
            words = records[s.name][2].get("words", [])
            out.append({**base_result(s.name, records[s.name]), "text": " ".join(w["text"] for w in words),  # type: ignore[typeddict-item]
                        "lines": [], "words": words})
        return out

    def detect_adult(self, images: Sequence[ImageInput] | ImageInput, *,
                     threshold: float = DEFAULT_SAFE_THRESHOLD) -> list[r.AdultResult]:
        """18+ detection (``/api/v1/adult/detect``).

        :param images: local paths, ``disk:/...`` paths (read through ``yandex_disk_conn_id``), bytes or
            ``(name, bytes)``; JPEG, PNG or TIFF, checked before anything is sent.
        :param threshold: ``is_safe`` is ``safe >= threshold`` (``safe`` in [0, 1] is the confidence that the
            image shows no 18+ content).
        :return: per image ``{"image", "ok", "error", "safe", "is_safe"}`` (``None`` for both when not ok).
        """
        threshold_param(threshold)
        sources = self.images.prepare(images)
        records = self.images.recognise("adult", sources, {}, objects_reader(lambda o: {"safe": o.get("safe")}))
        out: list[r.AdultResult] = []
        for s in sources:
            safe = records[s.name][2].get("safe")
            out.append({**base_result(s.name, records[s.name]), "safe": safe,  # type: ignore[typeddict-item]
                        "is_safe": None if safe is None else float(safe) >= threshold})
        return out
