"""execute batching, bulk reads, VK ID refresh on error 5, uploads and posts against a scripted server."""

from __future__ import annotations

import json
import re

import pytest

from airflow_provider_social.core.errors import (
    AuthenticationError,
    NotFoundError,
    PayloadTooLargeError,
    ValidationError,
)
from airflow_provider_social.core.http import RetryPolicy
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.vk import VkHook
from tests.hooks.vk.conftest import COMMUNITY_TOKEN, USER_TOKEN, form, ok, png, vk_error

CALL_RE = re.compile(r"API\.([a-zA-Z]+\.[a-zA-Z]+)\((\{.*?\})\)(?=,API\.|\];$)")


def script_calls(code: str) -> list[tuple[str, dict]]:
    assert code.startswith("return [") and code.endswith("];")
    return [(m.group(1), json.loads(m.group(2))) for m in CALL_RE.finditer(code)]


def test_batch_packs_25_calls_per_execute_and_keeps_order(scripted, vk_hook):
    calls = [("users.get", {"user_ids": [n]}) for n in range(60)]
    scripted.script = [ok([[{"id": n}] for n in range(s, min(s + 25, 60))]) for s in (0, 25, 50)]
    results = vk_hook().batch(calls)
    assert [r.result()[0]["id"] for r in results] == list(range(60))
    assert [r["path"] for r in scripted.requests] == ["/method/execute"] * 3
    sent = [script_calls(form(r)["code"]) for r in scripted.requests]
    assert [len(s) for s in sent] == [25, 25, 10]
    assert sent[0][3] == ("users.get", {"user_ids": "3"})


def test_batch_values_are_json_never_pasted_into_the_script(scripted, vk_hook):
    evil = '"});API.wall.post({"message":"pwned"});return [({"'
    scripted.script = [ok([{"short_url": "https://vk.cc/x"}])]
    vk_hook().batch([("utils.getShortLink", {"url": evil})])
    code = form(scripted.requests[0])["code"]
    literal = json.dumps({"url": evil}, separators=(",", ":"))
    assert code == f"return [API.utils.getShortLink({literal})];"  # the value stays one JSON string


def test_a_failed_inner_call_gets_its_own_error_from_execute_errors(scripted, vk_hook):
    scripted.script = [(200, {}, {"response": [[{"id": 1}], False, [{"id": 3}]],
                                  "execute_errors": [{"method": "users.get", "error_code": 113,
                                                      "error_msg": "Invalid user id"}]})]
    results = vk_hook().batch([("users.get", {"user_ids": [n]}) for n in (1, 2, 3)])
    assert [r.ok for r in results] == [True, False, True]
    with pytest.raises(NotFoundError, match="Invalid user id"):
        results[1].result()
    assert results[2].result() == [{"id": 3}]


def test_batch_picks_a_token_every_call_accepts(scripted, vk_hook):
    scripted.script = [ok([[{"id": 1}], [{"reach_total": 5}]])]
    vk_hook().batch([("users.get", {}), ("stats.getPostReach", {"owner_id": -1, "post_ids": [1]})])
    assert scripted.requests[0]["headers"]["Authorization"].endswith("user-token-secret")


def test_get_users_beyond_1000_ids_is_one_execute(scripted, vk_hook):
    # ids from 1: 0 is no user id, and ids are now checked before any call (issue 20)
    scripted.script = [ok([[{"id": n} for n in range(s, min(s + 1000, 2501))] for s in (1, 1001, 2001)])]
    users = vk_hook().get_users(range(1, 2501), fields=["online"])
    assert len(users) == 2500 and len(scripted.requests) == 1
    sent = script_calls(form(scripted.requests[0])["code"])
    assert [len(p["user_ids"].split(",")) for _, p in sent] == [1000, 1000, 500]


def test_post_reach_over_many_posts_goes_through_execute(scripted, vk_hook):
    # ids from 1: 0 is no post id, and ids are now checked before any call (issue 20)
    scripted.script = [ok([[{"post_id": p, "reach_total": p} for p in range(s, min(s + 30, 71))]
                           for s in (1, 31, 61)])]
    reach = vk_hook().get_post_reach(range(1, 71))
    assert [r["post_id"] for r in reach] == list(range(1, 71)) and len(scripted.requests) == 1


def test_online_and_last_seen(scripted, vk_hook):
    scripted.script = [ok([{"id": 5, "online": 1, "last_seen": {"time": 1700000000, "platform": 7}}])] * 2
    hook = vk_hook()
    assert hook.is_user_online(5) is True
    assert hook.get_last_seen(5) == {"time": 1700000000, "platform": 7}
    assert form(scripted.requests[0])["fields"] == "online,last_seen"


# ------------------------------------------------------------------------------------------------ VK ID


def vk_id_hook(vk_hook, store):
    return vk_hook(access_token="old-access", refresh_token="refresh-1", device_id="dev-42", app_id="51000001",
                   store=store)


def test_error_5_refreshes_a_vk_id_token_once_keeping_device_id(scripted, vk_hook):
    store = MemoryTokenStore()
    scripted.script = [
        vk_error(5, "User authorization failed: access_token has expired."),
        (200, {}, {"access_token": "new-access", "refresh_token": "refresh-2", "expires_in": 3600,
                   "token_type": "Bearer", "user_id": 1}),
        ok(1),
    ]
    hook = vk_id_hook(vk_hook, store)
    assert hook.call("wall.delete", owner_id=-1, post_id=2) == 1
    refresh = scripted.requests[1]
    assert refresh["path"] == "/vk-id/oauth2/auth"
    sent = form(refresh)
    assert sent["grant_type"] == "refresh_token" and sent["refresh_token"] == "refresh-1"
    assert sent["device_id"] == "dev-42" and sent["client_id"] == "51000001" and sent["state"]
    assert scripted.requests[2]["headers"]["Authorization"] == "Bearer new-access"
    saved = store.load("vk_test")
    assert saved.refresh_token == "refresh-2" and saved.extra["device_id"] == "dev-42"


def test_error_5_after_a_refresh_fails_naming_the_command(scripted, vk_hook):
    scripted.script = [
        vk_error(5, "User authorization failed: access_token has expired."),
        (200, {}, {"access_token": "new-access", "refresh_token": "refresh-2", "expires_in": 3600}),
        vk_error(5, "User authorization failed: access_token was given to another ip address."),
    ]
    with pytest.raises(AuthenticationError, match="airflow social auth vk --conn-id vk_test"):
        vk_id_hook(vk_hook, MemoryTokenStore()).call("wall.delete", owner_id=-1, post_id=2)
    assert len(scripted.requests) == 3


def test_a_refused_refresh_token_asks_for_reauthorisation(scripted, vk_hook, fake_sleep):
    scripted.script = [
        vk_error(5, "User authorization failed: access_token has expired."),
        (400, {}, {"error": "invalid_grant", "error_description": "refresh token is invalid"}),
    ]
    with pytest.raises(AuthenticationError, match="re-authorise with `airflow social auth vk --conn-id vk_test`"):
        vk_id_hook(vk_hook, MemoryTokenStore()).call("wall.delete", owner_id=-1, post_id=2)


# ------------------------------------------------------------------------------------------------ uploads, posts


def test_wall_photo_upload_is_three_steps_with_the_photo_field(scripted, vk_hook, tmp_path):
    image = png(tmp_path / "a.png", 800, 600)
    upload_url = f"{scripted.url}/upload/opaque-1"
    scripted.script = [
        ok({"upload_url": upload_url, "album_id": -14, "user_id": 1}),
        (200, {}, {"server": 7, "photo": '[{"photo":"x"}]', "hash": "h1"}),
        ok([{"id": 55, "owner_id": -1000001}]),
        ok({"post_id": 9}),
    ]
    post = vk_hook().create_post("Hello", photos=[image], guid="g-1")
    assert post == {"post_id": 9, "owner_id": -1000001, "url": "https://vk.com/wall-1000001_9",
                    "attachments": ["photo-1000001_55"]}
    get, upload, save, wall = scripted.requests
    assert form(get) == {"group_id": "1000001", "v": "5.199"}
    assert upload["path"] == "/upload/opaque-1" and "Authorization" not in upload["headers"]
    assert b'name="photo"; filename="a.png"' in upload["body"]
    assert form(save)["hash"] == "h1" and form(save)["photo"] == '[{"photo":"x"}]' and form(save)["server"] == "7"
    assert form(wall) == {"owner_id": "-1000001", "from_group": "1", "message": "Hello",
                          "attachments": "photo-1000001_55", "guid": "g-1", "v": "5.199"}


def test_a_post_with_a_guid_is_repeated_after_an_internal_error(scripted, vk_hook):
    scripted.script = [vk_error(10, "Internal server error"), ok({"post_id": 9})]
    assert vk_hook().create_post("Hello", guid="g-2")["post_id"] == 9
    assert [form(r)["guid"] for r in scripted.requests] == ["g-2", "g-2"]


def test_album_upload_sends_at_most_5_files_per_request(scripted, vk_hook, tmp_path):
    images = [png(tmp_path / f"{n}.png", 100, 100) for n in range(7)]
    for size in (5, 2):
        scripted.script += [
            ok({"upload_url": f"{scripted.url}/upload/a{size}"}),
            (200, {}, {"server": 1, "photos_list": "[]", "aid": 3, "hash": "h"}),
            ok([{"id": n, "owner_id": -1000001} for n in range(size)]),
        ]
    photos = vk_hook().upload_album_photos(3, images)
    assert len(photos) == 7
    uploads = [r for r in scripted.requests if r["path"].startswith("/upload/")]
    assert [r["body"].count(b"filename=") for r in uploads] == [5, 2]
    assert b'name="file5"' in uploads[0]["body"] and b'name="file1"' in uploads[1]["body"]


@pytest.mark.parametrize(("size", "match"), [((14000, 1), "width \\+ height"), ((2100, 100), "1:20")])
def test_photo_checks_run_before_any_call(scripted, vk_hook, tmp_path, size, match):
    image = png(tmp_path / "bad.png", *size)
    with pytest.raises(ValidationError, match=match):
        vk_hook().create_post("x", photos=[image])
    assert scripted.requests == []


def test_story_image_over_10_mb_is_refused_locally(scripted, vk_hook, tmp_path):
    image = png(tmp_path / "big.png", 100, 100)
    with open(image, "ab") as fh:
        fh.truncate(10 * 1024 * 1024 + 1)  # over 10 MiB: the tolerant reading of VK's "10 MB"
    with pytest.raises(PayloadTooLargeError, match="path"):
        vk_hook().create_story(image)
    assert scripted.requests == []


def test_poll_post_creates_the_poll_with_a_json_answer_list(scripted, vk_hook):
    scripted.script = [ok({"id": 4, "owner_id": -1000001, "question": "Q?"}), ok({"post_id": 10})]
    post = vk_hook().create_post("Vote", poll={"question": "Q?", "answers": ["Yes", "No, \"really\""]})
    assert post["attachments"] == ["poll-1000001_4"]
    assert json.loads(form(scripted.requests[0])["add_answers"]) == ["Yes", 'No, "really"']


def test_a_poll_alone_is_refused(scripted, vk_hook):
    with pytest.raises(ValidationError, match="message"):
        vk_hook().create_post(poll={"question": "Q?", "answers": ["a"]})
    assert scripted.requests == []


def test_group_id_forms(vk_hook):
    for value in ("1000001", "-1000001", "club1000001", "public1000001", "https://vk.com/club1000001"):
        assert vk_hook(group_id=value).group() == 1000001
    with pytest.raises(ValidationError, match="group_id"):
        vk_hook(group_id="durov").group()


def test_concurrent_tasks_refresh_an_expired_vk_id_token_once(scripted, vk_hook, fake_clock):
    import threading

    store = MemoryTokenStore()
    scripted.script = [(200, {}, {"access_token": "fresh", "refresh_token": "refresh-2", "expires_in": 3600})]
    scripted.script += [ok(1)] * 5
    hooks = [vk_hook(access_token="stale", refresh_token="refresh-1", device_id="dev-42", app_id="51000001",
                     expires_at=fake_clock() - 10, store=store) for _ in range(5)]
    errors: list[BaseException] = []

    def run(hook):
        try:
            hook.call("wall.delete", owner_id=-1, post_id=2)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(h,)) for h in hooks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    refreshes = [r for r in scripted.requests if r["path"] == "/vk-id/oauth2/auth"]
    assert len(refreshes) == 1
    assert {r["headers"]["Authorization"] for r in scripted.requests if r["path"].startswith("/method/")} == \
        {"Bearer fresh"}
    assert store.load("vk_test").refresh_token == "refresh-2"


def test_connection_test_reports_both_tokens_and_posting_rights(scripted, vk_hook):
    scripted.script = [
        ok([[{"id": 1, "first_name": "Ivan", "last_name": "Admin"}],
            {"groups": [{"id": 1000001, "name": "Sandbox Community", "can_post": 1}]}]),
        ok({"groups": [{"id": 1000001, "name": "Sandbox Community"}]}),
    ]
    ok_, message = vk_hook().test_connection()
    assert ok_, message
    assert "user token (static) of Ivan Admin (id 1)" in message
    assert "can post to Sandbox Community: yes" in message
    assert "community token of Sandbox Community (club1000001)" in message
    assert "secret" not in message


def test_connection_test_without_tokens_names_the_fields(scripted, vk_hook):
    ok_, message = vk_hook(access_token=None, community_token=None).test_connection()
    assert not ok_ and "access_token" in message and "community_token" in message
    assert scripted.requests == []


def test_connection_test_never_refreshes_a_vk_id_token(scripted, vk_hook, fake_clock):
    """An expired VK ID token, and a 5 from VK: the test reports it and leaves the single-use refresh token be."""
    store = MemoryTokenStore()
    scripted.script = [vk_error(5, "User authorization failed: access_token has expired.")] * 3
    hook = vk_hook(access_token="old-access", refresh_token="refresh-1", device_id="dev-42", app_id="51000001",
                   expires_at=fake_clock() - 10, community_token=None, store=store)
    ok_, message = hook.test_connection()
    assert not ok_ and "does not refresh" in message
    assert scripted.requests == []  # expired locally: not even sent
    scripted.script = [vk_error(5, "User authorization failed: access_token has expired.")] * 3
    fresh = vk_hook("vk_test2", access_token="live-access", refresh_token="refresh-1", device_id="dev-42",
                    app_id="51000001", expires_at=fake_clock() + 600, community_token=None, store=store)
    ok_, message = fresh.test_connection()
    assert not ok_ and "does not refresh" in message
    assert [r["path"] for r in scripted.requests] == ["/method/execute"]  # VK said 5; no /vk-id refresh
    assert store.load("vk_test") is None and store.load("vk_test2") is None
    assert "refresh-1" not in message and "access" not in message.replace("access token", "")


def test_connection_test_says_when_the_user_cannot_post(scripted, vk_hook):
    scripted.script = [ok([[{"id": 2, "first_name": "Ivan", "last_name": "Member"}],
                           {"groups": [{"id": 1000001, "name": "Sandbox Community", "can_post": 0}]}])]
    ok_, message = vk_hook(community_token=None).test_connection()
    assert ok_ and "user token (static) of Ivan Member (id 2); can post to Sandbox Community: no" in message
    assert form(scripted.requests[0])["code"].count("API.") == 2  # one execute: users.get + groups.getById


def test_the_limiter_is_per_credential_across_threads_and_hooks(scripted, make_connection):
    """4 threads, each with its own hook (two connections holding the same keys): one bucket per key and kind.
    The clock stands still and sleeps are recorded, so each request's slot is its wait: 3/s for the user key and
    20/s for the community key, whichever thread sent it; another user key has a bucket of its own."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    waits: dict[str, list[float]] = {}
    lock = threading.Lock()
    local = threading.local()

    def sleep(seconds: float) -> None:
        with lock:
            waits.setdefault(local.kind, []).append(seconds)

    for conn_id, user in (("vk_a", USER_TOKEN), ("vk_b", USER_TOKEN), ("vk_other", "vk1.a.other-user")):
        make_connection(conn_id, "vk", access_token=user, community_token=COMMUNITY_TOKEN, group_id="1",
                        api_base_url=scripted.url)
    scripted.script = [ok([{"id": 1}])] * 60

    def work(conn_id: str, kind: str, count: int) -> None:
        local.kind = kind if conn_id != "vk_other" else "other"
        hook = VkHook(conn_id, clock=lambda: 1000.0, sleep=sleep, retry=RetryPolicy(max_attempts=1))
        for _ in range(count):
            hook.call("users.get", user_ids=[1], token=kind)

    with ThreadPoolExecutor(4) as pool:
        jobs = [("vk_a", "user", 3), ("vk_b", "user", 3), ("vk_a", "user", 3), ("vk_b", "user", 3),
                ("vk_a", "community", 10), ("vk_b", "community", 10), ("vk_a", "community", 10),
                ("vk_b", "community", 10), ("vk_other", "user", 2)]
        list(pool.map(lambda job: work(*job), jobs))

    def slots(kind: str, count: int) -> list[float]:
        return sorted([0.0] * (count - len(waits.get(kind, []))) + waits.get(kind, []))

    user, community = slots("user", 12), slots("community", 40)
    assert len(user) == 12 and len(community) == 40
    assert all(b - a >= 1 / 3 - 1e-9 for a, b in zip(user, user[1:], strict=False))  # <= 3 in any second
    assert all(b - a >= 1 / 20 - 1e-9 for a, b in zip(community, community[1:], strict=False))  # <= 20
    assert user[-1] < 11 * 0.36 and community[-1] < 39 * 0.055  # spaced, not serialised beyond the limit
    assert slots("other", 2)[0] == 0.0  # another user's key does not wait for this one's bucket
