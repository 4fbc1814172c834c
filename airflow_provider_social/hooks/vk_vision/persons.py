"""Faces: link images to person ids in a face space (0-9), find the people in images, remove persons, empty a
space."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error

from . import results as r
from .params import SERVICE, person_ids_param, searcher_param, space_param
from .results import base_result, objects_reader

if TYPE_CHECKING:
    from .client import VisionClient
    from .images import ImageInput
    from .sending import VisionImages

#: Ids per persons/delete request.
DELETE_BATCH = 100


class VisionPersons:
    """Face spaces: who is who.

    :param client: sends Vision's declared calls (the calls that carry no images).
    :param images: prepares and sends the images of each call.
    """

    def __init__(self, client: VisionClient, images: VisionImages) -> None:
        self.client = client
        self.images = images

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
        sources = self.images.prepare(images)
        ids = person_ids_param(person_ids, len(sources))
        by_name = {s.name: pid for s, pid in zip(sources, ids, strict=True)}
        records = self.images.recognise("persons_set", sources, {"space": space_text}, objects_reader(lambda o: {}),
                                        lambda s: {"person_id": by_name[s.name]})
        return [{**base_result(s.name, records[s.name]), "person_id": by_name[s.name]}  # type: ignore[typeddict-item]
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
        sources = self.images.prepare(images)
        meta = {"space": space_text, "create_new": create_new, "update_embedding": update_embedding,
                "searcher": searcher}
        extract = objects_reader(lambda o: {"persons": [r.person(p) for p in o.get("persons") or []]})
        records = self.images.recognise("persons_recognize", sources, meta, extract)
        return [{**base_result(s.name, records[s.name]), "persons": records[s.name][2].get("persons", [])}  # type: ignore[typeddict-item]
                for s in sources]

    def persons_delete(self, person_ids: Sequence[int], *, space: int | str) -> list[dict[str, Any]]:
        """Remove persons from ``space``; no images are sent (requests of at most 100 ids).

        :param person_ids: the ids to remove (a JSON list string is accepted).
        :param space: the face space, 0-9.
        :return: per id ``{"person_id", "ok", "error"}``.
        """
        space_text = space_param(space)
        ids = person_ids_param(person_ids)
        self.client.check_credentials()
        result: dict[str, Any] = {}
        for start in range(0, len(ids), DELETE_BATCH):
            chunk = ids[start : start + DELETE_BATCH]
            meta = {"space": space_text, "images": [{"name": f"person_{pid}", "person_id": pid} for pid in chunk]}
            result.update(objects_reader(lambda o: {})(self.client.post("persons_delete", meta)))
        return [{"person_id": pid, "ok": result.get(f"person_{pid}", (1,))[0] == 0,
                 "error": result.get(f"person_{pid}", (1, "not in the answer"))[1]} for pid in ids]

    def persons_truncate(self, *, space: int | str) -> None:
        """Empty ``space`` entirely.

        :param space: the face space, 0-9.
        """
        space_text = space_param(space)
        self.client.check_credentials()
        self.client.post("persons_truncate", {"space": space_text})
