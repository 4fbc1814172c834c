"""VkVisionHook against the sandbox: exact results, inputs refused before any request, batching, per-image retries,
service tokens and OAuth clients, secrets kept out of logs and errors."""

from __future__ import annotations

import json
import logging
import re

import pytest
import requests

from airflow_provider_social.core.errors import AuthenticationError, SocialApiError, ValidationError
from airflow_provider_social.core.http import RetryPolicy
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.vk_vision.hook import VisionImageError, VkVisionHook, raise_for_errors
from airflow_provider_social.sandbox.oauth_server import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from airflow_provider_social.sandbox.vk_vision import SANDBOX_SERVICE_TOKEN
from airflow_provider_social.sandbox.vk_vision.fixtures import make_jpeg, make_png

IMAGE = make_png(8, 8, (10, 20, 30))


@pytest.fixture
def vision_conn(sandbox, make_connection):
    def make(conn_id="vk_vision_default", password=SANDBOX_SERVICE_TOKEN, **extra):
        return make_connection(conn_id, "vk_vision", password=password,
                               api_base_url=f"{sandbox.base_url}/vk-vision",
                               oauth_endpoint=f"{sandbox.base_url}/vk-cloud-auth/auth/oauth/v1/token",
                               max_retry_wait=5, **extra)

    return make


@pytest.fixture
def hook(vision_conn, fake_sleep):
    return VkVisionHook(vision_conn(), sleep=fake_sleep)


@pytest.fixture
def sent(monkeypatch):
    """Every HTTP request the process sends (to count that bad input sends none)."""
    calls: list[str] = []
    original = requests.Session.send

    def send(self, request, **kwargs):
        calls.append(request.url)
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return calls


def vision_events(sandbox, path):
    return [e["data"]["images"] for e in sandbox.control.created("vk_vision") if e["kind"] == path]


def test_exact_results(hook):
    adult = hook.detect_adult([IMAGE, ("nsfw.png", make_png(8, 8, (10, 20, 30), markers={"nsfw": 1}))])
    assert adult == [{"image": "image_0", "ok": True, "error": None, "safe": 0.8521, "is_safe": True},
                     {"image": "nsfw.png", "ok": True, "error": None, "safe": 0.0281, "is_safe": False}]
    objects = hook.detect_objects(IMAGE, modes=["object", "pedestrian"])[0]
    assert [lab["label"] for lab in objects["labels"]["object"]] == ["Backpack", "Bicycle", "Person"]
    assert objects["labels"]["object"][0] == {"label": "Backpack", "label_ru": "Рюкзак", "categories": [],
                                              "categories_ru": [], "probability": 0.8614, "box": [2, 3, 5, 7]}
    assert objects["people_count"] == 1
    object2 = hook.detect_objects(IMAGE, modes="object2")[0]
    assert list(object2["labels"]) == ["object2"]


def test_text_and_scene_text(hook, tmp_path):
    doc = tmp_path / "doc.png"
    doc.write_bytes(make_png(20, 10, markers={"text": "Hello world|Привет мир"}))
    text = hook.recognize_text([doc], detailed=True)[0]
    assert text["image"] == str(doc) and text["text"] == "Hello world\nПривет мир"
    assert [line["text"] for line in text["lines"]] == ["Hello world", "Привет мир"]
    assert text["lines"][1]["words"][0]["lang"] == "rus"
    scene = hook.recognize_scene_text([doc], lang="rus")[0]
    assert scene["text"] == "Hello world Привет мир" and len(scene["words"][0]["polygon"]) == 4


def test_persons(hook):
    alice, alice_again = make_png(8, 8, markers={"face": "alice"}), make_png(9, 9, markers={"face": "alice"})
    group = make_png(8, 8, markers={"faces": 2})
    set_results = hook.persons_set([("alice.png", alice), ("group.png", group)], [1, 2], space=5)
    assert set_results == [
        {"image": "alice.png", "ok": True, "error": None, "person_id": 1},
        {"image": "group.png", "ok": False, "error": "face set required only one face per image", "person_id": 2},
    ]
    with pytest.raises(VisionImageError, match="group.png: face set required only one face per image") as caught:
        raise_for_errors(set_results)
    assert caught.value.failed == {"group.png": "face set required only one face per image"}
    found = hook.persons_recognize([alice_again], space="5")[0]["persons"]
    assert [(p["tag"], p["person_id"]) for p in found] == [("person1", 1)]
    assert hook.persons_delete([1], space=5) == [{"person_id": 1, "ok": True, "error": None}]
    assert hook.persons_recognize([alice_again], space=5)[0]["persons"][0]["tag"] == "undefined"
    hook.persons_truncate(space=5)


@pytest.mark.parametrize(("call", "field"), [
    (lambda h, d: h.detect_adult([]), "images"),
    (lambda h, d: h.detect_adult([d / "missing.png"]), "images[0]"),
    (lambda h, d: h.detect_adult([b""]), "images[0]"),
    (lambda h, d: h.detect_adult([b"GIF89a" + b"\x00" * 20]), "images[0]"),
    (lambda h, d: h.detect_adult([make_png(4, 4)]), "images[0]"),
    (lambda h, d: h.detect_adult([IMAGE, make_jpeg(3841, 100)]), "images[1]"),
    (lambda h, d: h.detect_adult([IMAGE + b"\x00" * 15_000_000]), "images[0]"),
    (lambda h, d: h.detect_adult([42]), "images[0]"),
    (lambda h, d: h.detect_adult([IMAGE], threshold=2), "threshold"),
    (lambda h, d: h.detect_adult(["disk:/photos/a.png"]), "yandex_disk_conn_id"),
    (lambda h, d: h.detect_objects([IMAGE], modes=["objects"]), "modes"),
    (lambda h, d: h.detect_objects([IMAGE], modes=["object", "object2"]), "modes"),
    (lambda h, d: h.recognize_scene_text([IMAGE], lang="de"), "lang"),
    (lambda h, d: h.persons_set([IMAGE], [1, 2], space=1), "person_ids"),
    (lambda h, d: h.persons_set([IMAGE], [1], space=10), "space"),
    (lambda h, d: h.persons_recognize([IMAGE], space="x"), "space"),
    (lambda h, d: h.persons_recognize([IMAGE], space=1, searcher=2), "searcher"),
    (lambda h, d: h.persons_delete([True], space=1), "person_ids"),
    (lambda h, d: h.persons_truncate(space=-1), "space"),
])
def test_bad_input_is_refused_before_any_request(hook, sent, tmp_path, call, field):
    with pytest.raises(ValidationError) as caught:
        call(hook, tmp_path)
    assert str(caught.value).startswith(f"VK Cloud Vision: {field}:") or f": {field}:" in str(caught.value)
    assert sent == []


def test_a_connection_without_credentials_is_refused_before_any_request(vision_conn, sent, fake_sleep):
    hook = VkVisionHook(vision_conn("vk_vision_empty", password=None), sleep=fake_sleep)
    with pytest.raises(ValidationError, match="service token"):
        hook.detect_adult([IMAGE])
    assert sent == []


def test_large_batches_are_split_within_count_and_byte_limits(hook, sandbox):
    images = [make_png(8, 8, (i % 256, i // 256, 0)) for i in range(250)]
    results = hook.detect_adult(images)
    assert len(results) == 250 and all(r["ok"] for r in results)
    assert [r["image"] for r in results[:2]] == ["image_0", "image_1"]
    assert vision_events(sandbox, "/api/v1/adult/detect") == [100, 100, 50]
    sandbox.control.reset()
    sandbox.state.clock.freeze()
    big = [IMAGE + bytes([i]) * 3_900_000 for i in range(9)]  # 35.1 MB in all: 7 fit in 30 MB, then 2
    assert all(r["ok"] for r in hook.detect_adult(big))
    assert vision_events(sandbox, "/api/v1/adult/detect") == [7, 2]


def test_images_over_4_mb_go_alone_and_a_refusal_fails_only_that_image(hook, sandbox):
    # The limits page says 15 MB per image, every endpoint's page 4 MB (UNCONFIRMED; the sandbox enforces 4 MB).
    # Sent in a batch, one such image would sink all 3; alone, only it is reported.
    large = IMAGE + b"\x00" * 5_000_000
    results = hook.detect_adult([IMAGE, ("large.png", large), ("second.png", make_png(9, 9))])
    assert [(r["image"], r["ok"]) for r in results] == [("image_0", True), ("large.png", False), ("second.png", True)]
    assert results[1]["error"] == f"image file_0 is too large: {len(large)} bytes, at most 4000000"
    # large.png went alone (its part is file_0); the other two together (the refused request is not logged)
    assert vision_events(sandbox, "/api/v1/adult/detect") == [2]
    with pytest.raises(VisionImageError, match="large.png"):
        raise_for_errors(results)


def test_a_tuple_of_paths_is_several_images(hook, tmp_path):
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_bytes(IMAGE)
    second.write_bytes(make_png(9, 9))
    assert [r["image"] for r in hook.detect_adult((str(first), str(second)))] == [str(first), str(second)]
    assert hook.detect_adult(("named.png", IMAGE))[0]["image"] == "named.png"  # (name, bytes) stays one image


def test_every_detect_mode_and_the_meta_sent(hook, sandbox):
    result = hook.detect_objects([IMAGE], modes=["scene", "car_number", "multiobject", "pedestrian"])[0]
    assert list(result["labels"]) == ["scene", "car_number", "multiobject", "pedestrian"]
    assert [lab["label"] for lab in result["labels"]["scene"]] == ["Auditorium", "Movie Theater", "Rice Paddy"]
    assert result["labels"]["scene"][0]["box"] is None  # scenes have no coord
    assert result["labels"]["car_number"] == [{"label": "O777OO99", "label_ru": "O777OO99", "categories": [],
                                               "categories_ru": [], "probability": 0.8614, "box": [2, 3, 5, 7],
                                               "plate_types": [{"type": "rus", "prob": 0.99}]}]
    assert [lab["label"] for lab in result["labels"]["multiobject"]] == ["Backpack", "Bicycle", "Person"]
    assert result["labels"]["pedestrian"][0]["label"] == "Pedestrian" and result["people_count"] == 1
    hook.recognize_text([IMAGE], detailed=True)
    hook.recognize_text([IMAGE])
    hook.recognize_scene_text([IMAGE], lang="eng")
    hook.persons_recognize([IMAGE], space=3, create_new=True, searcher=1)
    sent = [(e["kind"], e["data"]["meta"]) for e in sandbox.control.created("vk_vision")]
    assert sent == [
        ("/api/v1/objects/detect", {"mode": ["scene", "car_number", "multiobject", "pedestrian"]}),
        ("/api/v1/text/recognize", {"mode": "detailed"}),
        ("/api/v1/text/recognize", {}),
        ("/api/v1/scene_text/recognize", {"lang": "eng"}),
        ("/api/v1/persons/recognize", {"space": "3", "create_new": True, "update_embedding": True, "searcher": 1}),
    ]


def test_results_are_json_serialisable(hook):
    face = make_png(8, 8, markers={"face": "carol", "text": "Hello world"})
    results = [hook.detect_objects([IMAGE], modes=["object", "scene", "car_number", "pedestrian"]),
               hook.recognize_text([face], detailed=True), hook.recognize_scene_text([face]),
               hook.detect_adult([IMAGE]), hook.persons_set([face], [7], space=2),
               hook.persons_recognize([face], space=2, searcher=1), hook.persons_delete([7], space=2)]
    assert json.loads(json.dumps(results)) == results
    assert results[5][0]["persons"][0]["tag"] == "person7" and "age" in results[5][0]["persons"][0]


def test_connection_sends_a_tiny_image_and_prints_no_token(hook, sandbox):
    ok, message = hook.test_connection()
    assert ok and message == "Connected to VK Cloud Vision (service token); a probe image was recognised"
    assert SANDBOX_SERVICE_TOKEN not in message
    assert [(e["kind"], e["data"]["images"]) for e in sandbox.control.created("vk_vision")] == [
        ("/api/v1/adult/detect", 1)]


def test_temporary_per_image_errors_resend_only_those_images(vision_conn, sandbox, fake_sleep):
    hook = VkVisionHook(vision_conn(), sleep=fake_sleep, resend_on_lost_answer=True)  # resends are billed: opt in
    flaky = make_png(8, 8, markers={"temporary": 1})
    results = hook.detect_adult([IMAGE, ("flaky.png", flaky)])
    assert [r["ok"] for r in results] == [True, True]
    assert vision_events(sandbox, "/api/v1/adult/detect") == [2, 1]
    assert len(fake_sleep.calls) == 1
    stuck = hook.detect_adult([("stuck.png", make_png(8, 8, markers={"temporary": 9}))])[0]
    assert stuck["ok"] is False and stuck["error"].startswith("temporary error persisted after retries")


@pytest.mark.parametrize("mirror", [False, True])
def test_refused_service_token_is_an_authentication_error_without_the_token(vision_conn, sandbox, fake_sleep,
                                                                            mirror):
    sandbox.control.configure("vk_vision", mirror_http_status=mirror)
    hook = VkVisionHook(vision_conn("vk_vision_bad", password="wrong-service-token-123"), sleep=fake_sleep)
    with pytest.raises(AuthenticationError) as caught:
        hook.detect_adult([IMAGE])
    assert "invalid token" in str(caught.value) and "AI API" in str(caught.value)
    assert "wrong-service-token-123" not in str(caught.value)
    assert hook.test_connection()[0] is False


def test_server_errors_are_retried_when_the_caller_accepts_paying_again(vision_conn, sandbox, fake_sleep):
    hook = VkVisionHook(vision_conn(), sleep=fake_sleep, resend_on_lost_answer=True)
    sandbox.control.add_fault(service="vk_vision", status=502, times=2)
    assert hook.detect_adult([IMAGE])[0]["safe"] == 0.8521
    assert len(fake_sleep.calls) == 2


def test_a_server_error_on_a_billed_call_is_not_resent_by_default(hook, sandbox, fake_sleep):
    sandbox.control.add_fault(service="vk_vision", status=502, times=1)  # a 502 may come after the work was done
    with pytest.raises(SocialApiError, match="not sent again"):
        hook.detect_adult([IMAGE])
    assert fake_sleep.calls == []


def test_oauth_client_credentials_then_refresh_from_the_store(vision_conn, sandbox, fake_sleep):
    conn_id = vision_conn("vk_vision_oauth", password=None, client_id=SANDBOX_CLIENT_ID,
                          client_secret=SANDBOX_CLIENT_SECRET)
    store, clock = MemoryTokenStore(), sandbox.state.clock.now
    assert VkVisionHook(conn_id, token_store=store, clock=clock, sleep=fake_sleep).detect_adult([IMAGE])[0]["ok"]
    # The next task reuses the stored token: no second grant (a project may hold only 25 active tokens).
    assert VkVisionHook(conn_id, token_store=store, clock=clock, sleep=fake_sleep).detect_adult([IMAGE])[0]["ok"]
    state = sandbox.control.state("vk_vision")
    assert (state["client_credentials_grants"], state["refresh_grants"]) == (1, 0)
    sandbox.control.advance(3600)
    assert VkVisionHook(conn_id, token_store=store, clock=clock, sleep=fake_sleep).detect_adult([IMAGE])[0]["ok"]
    state = sandbox.control.state("vk_vision")
    assert (state["client_credentials_grants"], state["refresh_grants"]) == (1, 1)
    # A token refused early (revoked): the 403 renews it once through the refresh token.
    sandbox.state.services["vk_vision"].credentials.revoke(store.load(conn_id).access_token)
    assert VkVisionHook(conn_id, token_store=store, clock=clock, sleep=fake_sleep).detect_adult([IMAGE])[0]["ok"]
    assert sandbox.control.state("vk_vision")["refresh_grants"] == 2


def test_wrong_client_secret_is_reported_without_secrets(vision_conn, sandbox, fake_sleep):
    conn_id = vision_conn("vk_vision_oauth_bad", password=None, client_id=SANDBOX_CLIENT_ID,
                          client_secret="not-the-secret-42")
    hook = VkVisionHook(conn_id, token_store=MemoryTokenStore(), sleep=fake_sleep,
                        retry=RetryPolicy(max_attempts=1))
    with pytest.raises(AuthenticationError) as caught:
        hook.detect_adult([IMAGE])
    assert "client ID and secret" in str(caught.value) and "not-the-secret-42" not in str(caught.value)


def test_tokens_never_reach_logs(vision_conn, sandbox, fake_sleep, caplog):
    conn_id = vision_conn("vk_vision_oauth_logs", password=None, client_id=SANDBOX_CLIENT_ID,
                          client_secret=SANDBOX_CLIENT_SECRET)
    store = MemoryTokenStore()
    sandbox.control.add_fault(service="vk_vision", status=502, times=1)  # retries log warnings
    with caplog.at_level(logging.DEBUG):
        VkVisionHook(vision_conn("vk_vision_logs"), sleep=fake_sleep, resend_on_lost_answer=True).detect_adult(
            [IMAGE, make_png(8, 8, markers={"temporary": 1})])
        VkVisionHook(conn_id, token_store=store, sleep=fake_sleep).detect_adult([IMAGE])
    access = store.load(conn_id).access_token
    assert "oauth_token=" in caplog.text  # urllib3 and the transport logged the URLs...
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Bad Gateway" in w for w in warnings)  # the retry path logged too
    assert SANDBOX_SERVICE_TOKEN not in caplog.text and access not in caplog.text  # ...without the tokens
    assert SANDBOX_CLIENT_SECRET not in caplog.text and store.load(conn_id).refresh_token not in caplog.text


def test_a_refused_refresh_token_falls_back_to_a_new_client_credentials_grant(vision_conn, sandbox, fake_sleep):
    conn_id = vision_conn("vk_vision_oauth_lost", password=None, client_id=SANDBOX_CLIENT_ID,
                          client_secret=SANDBOX_CLIENT_SECRET)
    store, clock, sleep = MemoryTokenStore(), sandbox.state.clock.now, sandbox.state.clock.advance
    assert VkVisionHook(conn_id, token_store=store, clock=clock, sleep=sleep).detect_adult([IMAGE])[0]["ok"]
    first = store.load(conn_id)
    sandbox.state.services["vk_vision"].credentials._refresh.clear()  # the project's refresh tokens were revoked
    sandbox.control.advance(3600)
    # invalid_grant: the store is re-read for a while (on the sandbox clock), then a new grant is asked for
    assert VkVisionHook(conn_id, token_store=store, clock=clock, sleep=sleep).detect_adult([IMAGE])[0]["ok"]
    state = sandbox.control.state("vk_vision")
    assert (state["client_credentials_grants"], state["refresh_grants"]) == (2, 0)
    assert store.load(conn_id).refresh_token != first.refresh_token  # the new grant was persisted


def test_images_on_yandex_disk(vision_conn, yandex_sandbox_connection, fake_sleep, tmp_path):
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    disk_conn, _ = yandex_sandbox_connection("yandex_disk_vision", token_store=f"file:{tmp_path}")
    YandexDiskHook(disk_conn).upload_bytes(IMAGE, "disk:/photo.png")
    hook = VkVisionHook(vision_conn(), yandex_disk_conn_id=disk_conn, sleep=fake_sleep)
    assert hook.detect_adult(["disk:/photo.png"]) == [
        {"image": "disk:/photo.png", "ok": True, "error": None, "safe": 0.8521, "is_safe": True}]


# ------------------------------------------------------------------ issue 20: nothing billed twice, no raw errors
def test_a_lost_answer_is_not_sent_again_so_not_billed_twice(hook, sandbox):
    sandbox.control.add_fault(service="vk_vision", action="lose_answer", path_contains="/adult/detect", times=1)
    with pytest.raises(SocialApiError, match="not sent again"):
        hook.detect_adult([IMAGE])
    assert vision_events(sandbox, "/api/v1/adult/detect") == [1]  # processed (billed) once, never resent


def test_a_lost_answer_is_resent_when_the_caller_opts_in(vision_conn, sandbox, fake_sleep):
    hook = VkVisionHook(vision_conn(), sleep=fake_sleep, resend_on_lost_answer=True)
    sandbox.control.add_fault(service="vk_vision", action="lose_answer", path_contains="/adult/detect", times=1)
    assert hook.detect_adult([IMAGE])[0]["safe"] == 0.8521
    assert vision_events(sandbox, "/api/v1/adult/detect") == [1, 1]  # billed twice, as asked


def test_a_temporary_status_2_is_not_resent_unless_the_caller_opts_in(hook, sandbox, fake_sleep):
    # Whether status 2 is billed is UNCONFIRMED: the strict reading counts it as billed.
    flaky = ("flaky.png", make_png(8, 8, markers={"temporary": 1}))
    result = hook.detect_adult([IMAGE, flaky])
    assert [r["ok"] for r in result] == [True, False]
    assert "resend_on_lost_answer" in result[1]["error"]
    assert vision_events(sandbox, "/api/v1/adult/detect") == [2]
    assert fake_sleep.calls == []


@pytest.mark.parametrize(("images", "field"), [(None, "images"), (123, "images"), ({"a": 1}, "images"),
                                               (b"\xff\xd8\xff\xc0\x00\x11\x08\x00", "images[0]")])
def test_missing_or_wrong_images_are_input_errors_before_any_request(hook, sandbox, images, field):
    before = sandbox.control.requests()["by_service"].get("vk_vision", 0)
    with pytest.raises(ValidationError, match=re.escape(f"{field}:")):
        hook.detect_adult(images)
    assert sandbox.control.requests()["by_service"].get("vk_vision", 0) == before


def test_resend_on_lost_answer_must_be_a_bool(vision_conn):
    with pytest.raises(ValidationError, match="resend_on_lost_answer"):
        VkVisionHook(vision_conn(), resend_on_lost_answer="yes")
