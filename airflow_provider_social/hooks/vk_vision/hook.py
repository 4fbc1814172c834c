"""``VkVisionHook``: objects, scenes, car numbers, document and scene text, 18+ detection, faces.

Facts and sources: shared/reference/vk_ok_vision.md section 2 (vkcs-docs ``ml/vision``). Every call is a
multipart POST of image parts plus a ``meta`` JSON part naming them; the token rides in the query string
(:mod:`.auth`), which core.masking redacts from every logged URL. Inputs are checked before anything is sent
(:mod:`.images`); big batches are split into requests within the per-request limits; images the service reports
with per-image ``status`` 2 (temporary) are sent again on their own, status 1 (permanent) is reported with the
image's name. Results are typed dicts (:mod:`.results`), in the order the images were given.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, ClassVar

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.core.errors import SocialApiError, ValidationError, input_error
from airflow_provider_social.core.http import Auth
from airflow_provider_social.core.ratelimit import fingerprint
from airflow_provider_social.core.tokens import TokenSet
from airflow_provider_social.hooks.base import SocialHook

from . import results as r
from .auth import VisionAuth, VkCloudTokenClient
from .connection import CONN_TYPE, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL, HOOK_NAME
from .images import (
    MAX_IMAGE_BYTES,
    SOLO_IMAGE_BYTES,
    ImageInput,
    ImageSource,
    batches,
    checked_bytes,
    multipart,
    parse_inputs,
)
from .params import (
    DEFAULT_SAFE_THRESHOLD,
    OBJECT_MODES,
    SERVICE,
    lang_param,
    modes_param,
    person_ids_param,
    searcher_param,
    space_param,
    threshold_param,
)
from .policy import VisionPolicy

#: Sends of one image that the service keeps answering with per-image status 2 (temporary error).
MAX_IMAGE_ATTEMPTS = 3
#: An 8x8 white PNG: what test_connection sends to the cheapest endpoint.
PROBE_IMAGE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAD0lEQVR4nGP4jwMwDC0JALoev0Ewkwr8AAAAAElFTkSuQmCC")


def _call(name: str, path: str) -> ApiCall:
    # Recognitions change nothing and persons calls converge (setting the same link twice is one link), so a
    # lost answer may be repeated; every request is billed, so retries stay within the connection's bounds.
    return ApiCall(name, "POST", path, token="vision", idempotent=True)


CALLS = {
    "objects": _call("detect objects", "/api/v1/objects/detect"),
    "adult": _call("detect adult content", "/api/v1/adult/detect"),
    "text": _call("recognize text", "/api/v1/text/recognize"),
    "scene_text": _call("recognize scene text", "/api/v1/scene_text/recognize"),
    "persons_set": _call("set persons", "/api/v1/persons/set"),
    "persons_recognize": _call("recognize persons", "/api/v1/persons/recognize"),
    "persons_delete": _call("delete persons", "/api/v1/persons/delete"),
    "persons_truncate": _call("truncate persons space", "/api/v1/persons/truncate"),
}

#: What a per-image answer becomes: (status, error, our payload).
Record = tuple[int, str | None, dict[str, Any]]
Extract = Callable[[dict[str, Any]], dict[str, Record]]


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
    """Raise :class:`VisionImageError` naming every image whose result is not ok."""
    failed = {res["image"]: res.get("error") or "failed" for res in results if not res["ok"]}
    if failed:
        shown = "; ".join(f"{name}: {error}" for name, error in list(failed.items())[:10])
        raise VisionImageError(f"{len(failed)} of {len(results)} images failed ({shown})", service=SERVICE,
                               operation=operation, results=list(results), failed=failed,
                               hint="per-image errors are the service's own; status 2 errors were retried")


class VkVisionHook(SocialHook):
    """VK Cloud Vision through a service token (Connection password) or an OAuth client (extras ``client_id`` /
    ``client_secret``; tokens live 1 hour, are kept in the token store and renewed with the refresh token).

    :param vk_vision_conn_id: the Connection ID, default ``vk_vision_default``.
    :param yandex_disk_conn_id: a ``yandex_disk`` connection, needed for images given as ``disk:/...`` paths.
    :param max_image_attempts: sends of an image the service answers with a temporary per-image error.
    """

    conn_name_attr = "vk_vision_conn_id"
    default_conn_name = "vk_vision_default"
    conn_type = CONN_TYPE
    hook_name = HOOK_NAME

    service_name = SERVICE
    default_endpoints: ClassVar[dict[str, str]] = {"api_base_url": DEFAULT_BASE_URL,
                                                   "oauth_endpoint": DEFAULT_TOKEN_URL}
    response_policy = VisionPolicy()
    default_timeout: ClassVar[tuple[float, float]] = (10.0, 120.0)

    def __init__(self, vk_vision_conn_id: str | None = None, *, yandex_disk_conn_id: str | None = None,
                 max_image_attempts: int = MAX_IMAGE_ATTEMPTS, **kwargs: Any) -> None:
        super().__init__(conn_id=vk_vision_conn_id, **kwargs)
        self.vk_vision_conn_id = self.conn_id
        self.yandex_disk_conn_id = yandex_disk_conn_id
        if isinstance(max_image_attempts, bool) or not isinstance(max_image_attempts, int) or not \
                1 <= max_image_attempts <= 10:
            raise input_error("max_image_attempts", f"must be an integer from 1 to 10, got {max_image_attempts!r}",
                              service=SERVICE)
        self.max_image_attempts = max_image_attempts

    # ---------------------------------------------------------------------------------------------- auth
    @property
    def auth_mode(self) -> str:
        if self.connection.password:
            return "service_token"
        if self.extra("client_id") and self.secret_extra("client_secret"):
            return "oauth"
        raise input_error("password, client_id/client_secret", "the connection needs a service token (password) or "
                          "an OAuth client ID and secret (console -> AI API -> Vision API)", service=SERVICE)

    @cached_property
    def token_client(self) -> VkCloudTokenClient:
        return VkCloudTokenClient(self.transport, self.endpoint("oauth_endpoint"), str(self.extra("client_id")),
                                  str(self.secret_extra("client_secret")))

    @cached_property
    def auth(self) -> Auth:
        if self.auth_mode == "service_token":
            return VisionAuth(service_token=self.connection.password, credential_id=self.conn_id)
        client = self.token_client
        manager = self.make_token_manager(TokenSet(access_token=None), client.refresh, grant=client.client_credentials,
                                          lineage=f"{client.client_id}:{fingerprint(client.client_secret)}")
        return VisionAuth(manager=manager, credential_id=self.conn_id)

    def check_connection(self) -> str:
        result = self.detect_adult([("probe.png", PROBE_IMAGE)])[0]
        if not result["ok"]:
            raise SocialApiError(f"the probe image was refused: {result['error']}", service=SERVICE,
                                 operation="test connection")
        how = "service token" if self.auth_mode == "service_token" else "OAuth client credentials"
        return f"Connected to VK Cloud Vision ({how}); a probe image was recognised"

    # ---------------------------------------------------------------------------------------------- plumbing
    def _sources(self, images: Sequence[ImageInput] | ImageInput) -> list[ImageSource]:
        sources = parse_inputs(images)
        if any(s.disk_path for s in sources) and not self.yandex_disk_conn_id:
            raise input_error("yandex_disk_conn_id", "images on Yandex Disk (disk:/...) need a yandex_disk "
                              "connection", service=SERVICE)
        self.check_transport_settings()
        self.auth_mode  # noqa: B018 - the credentials' presence is checked before any network call
        return sources

    def _download(self, sources: list[ImageSource]) -> list[ImageSource]:
        if not any(s.disk_path for s in sources):
            return sources
        from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

        disk = YandexDiskHook(self.yandex_disk_conn_id, clock=self.clock, sleep=self.sleep)
        return [checked_bytes(s.name, disk.read_bytes(s.disk_path, max_size=MAX_IMAGE_BYTES), "images")
                if s.disk_path else s for s in sources]

    def _recognise(self, call: ApiCall, sources: list[ImageSource], meta: dict[str, Any], extract: Extract,
                   image_meta: Callable[[ImageSource], dict[str, Any]] | None = None) -> dict[str, Record]:
        """Send every image (in batches), resend those answered with status 2; the record of each by name."""
        records: dict[str, Record] = {}
        pending = self._download(sources)
        for attempt in range(self.max_image_attempts):
            temporary: list[ImageSource] = []
            for group in batches(pending):
                parts = [(f"file_{index}", source) for index, source in enumerate(group)]
                entries = [{"name": part, **(image_meta(source) if image_meta else {})} for part, source in parts]
                body, content_type = multipart({**meta, "images": entries}, parts)
                try:
                    answer = self.call_api(call, body=body, headers={"Content-Type": content_type})
                except ValidationError as exc:
                    if len(group) > 1 or group[0].size <= SOLO_IMAGE_BYTES:
                        raise
                    # An image over 4 MB, sent alone: the per-endpoint pages' limit may hold (UNCONFIRMED).
                    records[group[0].name] = (1, exc.api_message, {})
                    continue
                found = extract(answer)
                for part, source in parts:
                    record = found.get(part, (1, "the service's answer does not mention this image", {}))
                    records[source.name] = record
                    if record[0] == 2:
                        temporary.append(source)
            if not temporary:
                break
            pending = temporary
            if attempt + 1 < self.max_image_attempts:
                self.log.warning("%d image(s) had a temporary error; sending them again", len(temporary))
                self.sleep(self.transport.retry.backoff(attempt))
        return records

    @staticmethod
    def _objects(payload: Callable[[dict[str, Any]], dict[str, Any]]) -> Extract:
        """Reader of ``body.objects[]``: per image status, error and our payload."""

        def extract(body: dict[str, Any]) -> dict[str, Record]:
            return {str(o.get("name")): (int(o.get("status", 1)), o.get("error"), payload(o) if
                                         int(o.get("status", 1)) == 0 else {})
                    for o in body.get("objects") or []}

        return extract

    @staticmethod
    def _base(source: ImageSource, record: Record) -> dict[str, Any]:
        status, error, _ = record
        if status == 2:
            error = f"temporary error persisted after retries: {error or 'no message'}"
        return {"image": source.name, "ok": status == 0, "error": None if status == 0 else (error or "failed")}

    # ---------------------------------------------------------------------------------------------- recognitions
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
        sources = self._sources(images)

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

        records = self._recognise(CALLS["objects"], sources, {"mode": wanted}, extract)
        out: list[r.ObjectsResult] = []
        for source in sources:
            record = records[source.name]
            payload = record[2] if record[0] == 0 else {}
            out.append({**self._base(source, record), "labels": payload.get("labels", {}),  # type: ignore[typeddict-item]
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
        sources = self._sources(images)
        meta = {"mode": "detailed"} if detailed else {}
        extract = self._objects(lambda o: {"text": o.get("text") or "",
                                           "lines": [r.line(x) for x in o.get("results") or []]})
        records = self._recognise(CALLS["text"], sources, meta, extract)
        return [{**self._base(s, records[s.name]), "text": records[s.name][2].get("text", ""),  # type: ignore[typeddict-item]
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
        sources = self._sources(images)
        extract = self._objects(lambda o: {"words": [r.word(w) for w in o.get("words") or []]})
        records = self._recognise(CALLS["scene_text"], sources, {"lang": lang} if lang else {}, extract)
        out: list[r.TextResult] = []
        for s in sources:
            words = records[s.name][2].get("words", [])
            out.append({**self._base(s, records[s.name]), "text": " ".join(w["text"] for w in words),  # type: ignore[typeddict-item]
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
        sources = self._sources(images)
        records = self._recognise(CALLS["adult"], sources, {}, self._objects(lambda o: {"safe": o.get("safe")}))
        out: list[r.AdultResult] = []
        for s in sources:
            safe = records[s.name][2].get("safe")
            out.append({**self._base(s, records[s.name]), "safe": safe,  # type: ignore[typeddict-item]
                        "is_safe": None if safe is None else float(safe) >= threshold})
        return out

    # ---------------------------------------------------------------------------------------------- faces
    def persons_set(self, images: Sequence[ImageInput] | ImageInput, person_ids: Sequence[int], *,
                    space: int | str) -> list[r.PersonSetResult]:
        """Link each image's (single) face to a person id in ``space``.

        :param images: local paths, ``disk:/...`` paths (read through ``yandex_disk_conn_id``), bytes or
            ``(name, bytes)``; JPEG, PNG or TIFF, checked before anything is sent.
        :param person_ids: one integer id per image (a JSON list string is accepted).
        :param space: the face space, 0-9.
        :return: per image ``{"image", "person_id", "ok", "error"}``.
        """
        space_text = space_param(space)
        sources = self._sources(images)
        ids = person_ids_param(person_ids, len(sources))
        by_name = {s.name: pid for s, pid in zip(sources, ids, strict=True)}
        records = self._recognise(CALLS["persons_set"], sources, {"space": space_text},
                                  self._objects(lambda o: {}), lambda s: {"person_id": by_name[s.name]})
        return [{**self._base(s, records[s.name]), "person_id": by_name[s.name]}  # type: ignore[typeddict-item]
                for s in sources]

    def persons_recognize(self, images: Sequence[ImageInput] | ImageInput, *, space: int | str,
                          create_new: bool = False, update_embedding: bool = True,
                          searcher: int = 0) -> list[r.PersonsResult]:
        """Find the people in each image within ``space``.

        :param images: local paths, ``disk:/...`` paths (read through ``yandex_disk_conn_id``), bytes or
            ``(name, bytes)``; JPEG, PNG or TIFF, checked before anything is sent.
        :param space: the face space, 0-9.
        :param create_new: add unknown faces as new persons (else their tag is ``undefined``).
        :param update_embedding: let the service refine the stored faces with these images.
        :param searcher: 1 adds sex, age, emotion, valence and arousal.
        :return: per image ``{"image", "ok", "error", "persons": [{"tag", "person_id", "box", ...}]}``.
        """
        space_text = space_param(space)
        for name, value in (("create_new", create_new), ("update_embedding", update_embedding)):
            if not isinstance(value, bool):
                raise input_error(name, f"must be true or false, got {value!r}", service=SERVICE)
        searcher_param(searcher)
        sources = self._sources(images)
        meta = {"space": space_text, "create_new": create_new, "update_embedding": update_embedding,
                "searcher": searcher}
        extract = self._objects(lambda o: {"persons": [r.person(p) for p in o.get("persons") or []]})
        records = self._recognise(CALLS["persons_recognize"], sources, meta, extract)
        return [{**self._base(s, records[s.name]), "persons": records[s.name][2].get("persons", [])}  # type: ignore[typeddict-item]
                for s in sources]

    def persons_delete(self, person_ids: Sequence[int], *, space: int | str) -> list[dict[str, Any]]:
        """Remove persons from ``space``; no images are sent (requests of at most 100 ids).

        :param person_ids: the ids to remove (a JSON list string is accepted).
        :param space: the face space, 0-9.
        :return: per id ``{"person_id", "ok", "error"}``.
        """
        space_text = space_param(space)
        ids = person_ids_param(person_ids)
        self.check_transport_settings()
        self.auth_mode  # noqa: B018
        result: dict[str, Any] = {}
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            meta = {"space": space_text, "images": [{"name": f"person_{pid}", "person_id": pid} for pid in chunk]}
            body, content_type = multipart(meta, [])
            answer = self.call_api(CALLS["persons_delete"], body=body, headers={"Content-Type": content_type})
            result.update(self._objects(lambda o: {})(answer))
        return [{"person_id": pid, "ok": result.get(f"person_{pid}", (1,))[0] == 0,
                 "error": result.get(f"person_{pid}", (1, "not in the answer"))[1]} for pid in ids]

    def persons_truncate(self, *, space: int | str) -> None:
        """Empty ``space`` entirely.

        :param space: the face space, 0-9.
        """
        space_text = space_param(space)
        self.check_transport_settings()
        self.auth_mode  # noqa: B018
        body, content_type = multipart({"space": space_text}, [])
        self.call_api(CALLS["persons_truncate"], body=body, headers={"Content-Type": content_type})


__all__ = ["CALLS", "DEFAULT_SAFE_THRESHOLD", "OBJECT_MODES", "VisionImageError", "VkVisionHook",
           "raise_for_errors"]
