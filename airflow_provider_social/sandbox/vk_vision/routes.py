"""The Vision endpoints (``smarty.mail.ru/api/v1/...``) and the sandbox's Vision state (face spaces, settings)."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from . import recognition as rec
from .rules import (
    Image,
    VisionError,
    VisionRequest,
    bool_param,
    check_token,
    envelope,
    image_problem,
    read_request,
    space_param,
)
from .tokens import VisionCredentials
from .video import VideoTasks, read_json

if TYPE_CHECKING:
    from ..state import SandboxState

NAME = "vk_vision"
PREFIX = "/vk-vision"
AUTH_NAME = "vk_cloud_auth"
AUTH_PREFIX = "/vk-cloud-auth"
TOKEN_PATH = "/auth/oauth/v1/token"
OBJECT_MODES = ("object", "object2", "scene", "car_number", "multiobject", "pedestrian")
MAX_FACES_PER_SPACE = 75_000


class VisionState:
    """Credentials, face spaces (space -> identity -> person id) and per-image temporary-error counters."""

    def __init__(self, sandbox: SandboxState) -> None:
        self.credentials = VisionCredentials(sandbox.clock)
        self.videos = VideoTasks(sandbox.clock)
        self.mirror_http_status = False
        self._lock = threading.Lock()
        self.spaces: dict[str, dict[str, int]] = {}
        self._sightings: dict[bytes, int] = {}
        self.requests = 0

    def configure(self, data: dict[str, Any]) -> dict[str, Any]:
        """Control API ``POST /_control/state/vk_vision``: ``{"mirror_http_status": bool}``."""
        unknown = sorted(set(data) - {"mirror_http_status"})
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known: ['mirror_http_status']")
        if "mirror_http_status" in data:
            if not isinstance(data["mirror_http_status"], bool):
                raise ValueError("mirror_http_status must be true or false")
            self.mirror_http_status = data["mirror_http_status"]
        return self.dump()

    def dump(self) -> dict[str, Any]:
        with self._lock:
            spaces = {space: len(set(ids.values())) for space, ids in self.spaces.items()}
        return {"mirror_http_status": self.mirror_http_status, "requests": self.requests,
                "persons_by_space": spaces, "videos": self.videos.dump(), **self.credentials.dump()}

    def temporary(self, data: bytes) -> bool:
        """True while these bytes (marked ``temporary=N``) have been seen at most N times."""
        wanted = int(rec.markers(data).get("temporary", 0) or 0)
        if not wanted:
            return False
        key = rec.digest(data)
        with self._lock:
            seen = self._sightings[key] = self._sightings.get(key, 0) + 1
        return seen <= wanted


def _vision(state: SandboxState) -> VisionState:
    return state.services[NAME]  # type: ignore[return-value]


Handler = Callable[["SandboxState", VisionState, VisionRequest], dict[str, Any]]


def _endpoint(state: SandboxState, handler: Handler, *,
              files_required: bool = True) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        vision = _vision(state)
        try:
            check_token(request, vision.credentials)
            parsed = await read_request(request, files_required=files_required)
            body = handler(state, vision, parsed)
        except VisionError as exc:
            return envelope(exc.status, exc.body, mirror_http_status=vision.mirror_http_status)
        with vision._lock:
            vision.requests += 1
        settings = {k: v for k, v in parsed.meta.items() if k != "images"}  # mode, lang, space, ... (inspection)
        state.record(NAME, request.url.path.removeprefix(PREFIX), images=len(parsed.images), meta=settings)
        return envelope(200, body)

    return endpoint


VideoHandler = Callable[[VideoTasks, Any], dict[str, Any]]


def _video_endpoint(state: SandboxState, handler: VideoHandler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        vision = _vision(state)
        try:
            check_token(request, vision.credentials)
            body = handler(vision.videos, await read_json(request))
        except VisionError as exc:
            return envelope(exc.status, exc.body, mirror_http_status=vision.mirror_http_status)
        with vision._lock:
            vision.requests += 1
        entries = next(iter(body.values()))  # subscribed / results / unsubscribed: names, ids, statuses only
        state.record(NAME, request.url.path.removeprefix(PREFIX),
                     videos=[{k: e.get(k) for k in ("name", "id", "status")} for e in entries])
        return envelope(200, body)

    return endpoint


def _per_image(vision: VisionState, image: Image, recognise: Callable[[Image], dict[str, Any]]) -> dict[str, Any]:
    problem = image_problem(image)
    if problem is None and vision.temporary(image.data):
        problem = (2, "temporary error, try again later")
    if problem is not None:
        return {"status": problem[0], "error": problem[1], "name": image.name}
    return {"status": 0, "name": image.name, **recognise(image)}


# ---------------------------------------------------------------------------------------------- endpoints


def objects_detect(state: SandboxState, vision: VisionState, req: VisionRequest) -> dict[str, Any]:
    modes = req.meta.get("mode")
    if not isinstance(modes, list) or not modes or not all(isinstance(m, str) for m in modes):
        raise VisionError(400, "no mode has been provided")
    unknown = [m for m in modes if m not in OBJECT_MODES]
    if unknown:
        raise VisionError(400, f"unknown mode {unknown[0]}")
    if "object" in modes and "object2" in modes:
        # UNCONFIRMED: both would answer under object_labels (no object2_labels is documented); refused here.
        raise VisionError(400, "mode object and object2 cannot be combined")
    body: dict[str, Any] = {}
    for mode in dict.fromkeys(modes):
        key = "object_labels" if mode == "object2" else f"{mode}_labels"

        def detect(image: Image, mode: str = mode) -> dict[str, Any]:
            return rec.labels(image.data, mode, *image.size)

        body[key] = [_per_image(vision, image, detect) for image in req.images]
    return body


def adult_detect(state: SandboxState, vision: VisionState, req: VisionRequest) -> dict[str, Any]:
    return {"objects": [_per_image(vision, image, lambda i: rec.adult(i.data)) for image in req.images]}


def text_recognize(state: SandboxState, vision: VisionState, req: VisionRequest) -> dict[str, Any]:
    mode = req.meta.get("mode", "")
    if mode not in ("", "detailed"):
        raise VisionError(400, f"wrong mode param {mode}")
    return {"objects": [_per_image(vision, image, lambda i: rec.document_text(i.data, mode == "detailed", *i.size))
                        for image in req.images]}


def scene_text_recognize(state: SandboxState, vision: VisionState, req: VisionRequest) -> dict[str, Any]:
    lang = req.meta.get("lang")
    if lang is not None and lang not in ("rus", "eng"):
        raise VisionError(400, f"wrong lang param {lang}")
    return {"objects": [_per_image(vision, image, lambda i: rec.scene_words(i.data, *i.size))
                        for image in req.images]}


def _person_id(image: Image) -> int:
    value = image.meta.get("person_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise VisionError(400, "no person_id has been provided")
    return value


def persons_set(state: SandboxState, vision: VisionState, req: VisionRequest) -> dict[str, Any]:
    space = space_param(req.meta)
    ids = [_person_id(image) for image in req.images]

    def attach(image: Image, person_id: int) -> dict[str, Any]:
        problem = image_problem(image)
        if problem is None and vision.temporary(image.data):
            problem = (2, "temporary error, try again later")
        if problem is None and len(rec.faces(image.data)) != 1:
            problem = (1, "face set required only one face per image")
        if problem is not None:
            return {"status": problem[0], "error": problem[1], "name": image.name}
        with vision._lock:
            people = vision.spaces.setdefault(space, {})
            if len(set(people.values())) >= MAX_FACES_PER_SPACE and person_id not in people.values():
                return {"status": 1, "error": f"space {space} is full", "name": image.name}
            people[rec.faces(image.data)[0]] = person_id
        return {"status": 0, "name": image.name}

    return {"objects": [attach(image, person_id) for image, person_id in zip(req.images, ids, strict=True)]}


def persons_recognize(state: SandboxState, vision: VisionState, req: VisionRequest) -> dict[str, Any]:
    space = space_param(req.meta)
    create_new = bool_param(req.meta, "create_new", False)
    bool_param(req.meta, "update_embedding", True)
    searcher = req.meta.get("searcher", 0)
    if searcher not in (0, 1) or isinstance(searcher, bool):
        raise VisionError(400, f"wrong searcher param {searcher}")
    changed = False

    def recognise(image: Image) -> dict[str, Any]:
        nonlocal changed
        found = []
        for k, identity in enumerate(rec.faces(image.data)):
            with vision._lock:
                people = vision.spaces.setdefault(space, {})
                person_id = people.get(identity)
                if person_id is None and create_new:
                    person_id = max(people.values(), default=0) + 1
                    people[identity] = person_id
                    changed = True
            person = {"tag": f"person{person_id}" if person_id is not None else "undefined",
                      **rec.face_details(image.data, k, *image.size, searcher)}
            person["similarity"] = 1.0 if person_id is not None else 0.0
            found.append(person)
        return {"persons": found} if found else {}

    objects = [_per_image(vision, image, recognise) for image in req.images]
    return {"objects": objects, "aliases_changed": changed}


def persons_delete(state: SandboxState, vision: VisionState, req: VisionRequest) -> dict[str, Any]:
    space = space_param(req.meta)
    ids = [_person_id(image) for image in req.images]
    with vision._lock:
        people = vision.spaces.setdefault(space, {})
        for person_id in ids:
            for identity in [i for i, p in people.items() if p == person_id]:
                del people[identity]
    return {"objects": [{"status": 0, "name": image.name} for image in req.images]}


def persons_truncate(state: SandboxState, vision: VisionState, req: VisionRequest) -> dict[str, Any]:
    space = space_param(req.meta)
    with vision._lock:
        vision.spaces.pop(space, None)
    return {}


def vision_routes(state: SandboxState) -> list[BaseRoute]:
    e = _endpoint
    table = [
        ("/api/v1/objects/detect", e(state, objects_detect)),
        ("/api/v1/adult/detect", e(state, adult_detect)),
        ("/api/v1/text/recognize", e(state, text_recognize)),
        ("/api/v1/scene_text/recognize", e(state, scene_text_recognize)),
        ("/api/v1/persons/set", e(state, persons_set)),
        ("/api/v1/persons/recognize", e(state, persons_recognize)),
        ("/api/v1/persons/delete", e(state, persons_delete, files_required=False)),
        ("/api/v1/persons/truncate", e(state, persons_truncate, files_required=False)),
        ("/api/v1/video/subscribe", _video_endpoint(state, VideoTasks.subscribe)),
        ("/api/v1/video/get", _video_endpoint(state, VideoTasks.get)),
        ("/api/v1/video/unsubscribe", _video_endpoint(state, VideoTasks.unsubscribe)),
    ]
    return [Mount(PREFIX, routes=[Route(path, handler, methods=["POST"]) for path, handler in table])]


def auth_routes(state: SandboxState) -> list[BaseRoute]:
    async def token(request: Request) -> Response:
        return await _vision(state).credentials.token_endpoint(request)

    return [Mount(AUTH_PREFIX, routes=[Route(TOKEN_PATH, token, methods=["POST"])])]
