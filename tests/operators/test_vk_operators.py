"""VK operators, sensor and notifier against a scripted server: guid / random_id per task instance, XCom results."""

from __future__ import annotations

import csv
import json
from types import SimpleNamespace

import pytest

from airflow_provider_social.core.http import RetryPolicy
from airflow_provider_social.core.ratelimit import rate_limiters
from airflow_provider_social.hooks.vk import VkHook
from airflow_provider_social.links.vk import POST_URL_XCOM_KEY, VkPostLink
from airflow_provider_social.notifications.vk import VkNotifier
from airflow_provider_social.operators import vk as ops
from airflow_provider_social.sensors.vk import VkUserOnlineSensor
from tests.hooks.vk.conftest import form, ok


@pytest.fixture
def vk_conn(scripted, make_connection, fake_clock, fake_sleep, monkeypatch):
    rate_limiters.clear()
    make_connection("vk_default", "vk", access_token="user-token", community_token="community-token",
                    group_id="club1000001", api_base_url=scripted.url)

    def hook(conn_id="vk_default"):
        return VkHook(conn_id, clock=fake_clock, sleep=fake_sleep, retry=RetryPolicy(max_attempts=3))

    monkeypatch.setattr(ops.VkBaseOperator, "get_hook", lambda self: hook(self.vk_conn_id))
    monkeypatch.setattr(VkUserOnlineSensor, "hook", property(lambda self: hook(self.vk_conn_id)))
    yield hook
    rate_limiters.clear()


def ti_context(try_number=1, run_id="scheduled__2026-11-22", map_index=-1):
    ti = SimpleNamespace(dag_id="vk_daily", task_id="post", run_id=run_id, map_index=map_index,
                         try_number=try_number)
    return {"ti": ti}


def test_a_post_sends_the_same_guid_on_every_try_of_one_task_instance(scripted, vk_conn):
    scripted.script = [ok({"post_id": 5}), ok({"post_id": 5}), ok({"post_id": 6})]
    op = ops.VkCreatePostOperator(task_id="post", message="Hello")
    first = op.execute(ti_context(try_number=1))
    op.execute(ti_context(try_number=2))
    op.execute(ti_context(run_id="scheduled__2026-11-23"))
    guids = [form(r)["guid"] for r in scripted.requests]
    assert guids[0] == guids[1] != guids[2]
    assert first == {"post_id": 5, "owner_id": -1000001, "url": "https://vk.com/wall-1000001_5", "attachments": []}
    assert op.post_url == "https://vk.com/wall-1000001_6"


def test_mapped_instances_get_different_guids(scripted, vk_conn):
    scripted.script = [ok({"post_id": 1}), ok({"post_id": 2})]
    op = ops.VkCreatePostOperator(task_id="post", message="Hello")
    op.execute(ti_context(map_index=0))
    op.execute(ti_context(map_index=1))
    assert form(scripted.requests[0])["guid"] != form(scripted.requests[1])["guid"]


def test_a_message_sends_a_deterministic_random_id_with_the_community_token(scripted, vk_conn):
    scripted.script = [ok(77), ok(77)]
    keyboard = {"one_time": True, "buttons": [[{"action": {"type": "text", "label": "OK"}, "color": "primary"}]]}
    op = ops.VkSendMessageOperator(task_id="msg", peer_id=42, message="Hi", keyboard=keyboard)
    result = op.execute(ti_context())
    op.execute(ti_context(try_number=2))
    first, second = (form(r) for r in scripted.requests)
    assert first["random_id"] == second["random_id"] == str(result["random_id"])
    assert json.loads(first["keyboard"]) == keyboard
    assert scripted.requests[0]["headers"]["Authorization"] == "Bearer community-token"
    assert result["message_id"] == 77


def test_stats_export_writes_csv_and_reach(scripted, vk_conn, tmp_path):
    scripted.script = [
        ok([{"period_from": 1, "period_to": 2, "visitors": {"views": 10, "visitors": 3}}]),
        ok([{"post_id": 5, "reach_total": 40}]),
    ]
    target = tmp_path / "out" / "stats.csv"
    result = ops.VkExportStatsOperator(task_id="stats", date_from=1_799_900_000, date_to=1_800_000_000,
                                       output_path=str(target), post_ids=[5]).execute(ti_context())
    assert result == {"path": str(target), "rows": 1, "reach_rows": 1}
    rows = list(csv.DictReader(open(target)))
    assert json.loads(rows[0]["visitors"]) == {"views": 10, "visitors": 3}
    assert list(csv.DictReader(open(tmp_path / "out" / "stats_reach.csv")))[0]["reach_total"] == "40"
    assert form(scripted.requests[0])["timestamp_from"] == "1799900000"


def test_stats_export_refuses_an_unknown_format_before_any_call(scripted, vk_conn, tmp_path):
    with pytest.raises(ValueError, match="output_path"):
        ops.VkExportStatsOperator(task_id="s", date_from=1, output_path=str(tmp_path / "x.xlsx")).execute({})
    assert scripted.requests == []


def test_user_online_sensor_reschedules_by_default_and_pokes_users_get(scripted, vk_conn):
    sensor = VkUserOnlineSensor(task_id="online", user_id=5)
    assert sensor.mode == "reschedule"
    scripted.script = [ok([{"id": 5, "online": 0}]), ok([{"id": 5, "online": 1, "last_seen": {"time": 1}}])]
    assert sensor.poke({}) is False and sensor.poke({}) is True
    assert form(scripted.requests[0])["user_ids"] == "5"


def test_notifier_messages_the_admin_once_per_task_instance(scripted, vk_conn, monkeypatch):
    monkeypatch.setattr("airflow_provider_social.hooks.vk.VkHook", lambda conn_id: vk_conn(conn_id))
    scripted.script = [ok(1), ok(1)]
    notifier = VkNotifier(peer_id=42, message="task failed")
    notifier.notify(ti_context())
    notifier.notify(ti_context())
    first, second = (form(r) for r in scripted.requests)
    assert first["message"] == "task failed" and first["peer_id"] == "42"
    assert first["random_id"] == second["random_id"]


class RecordingTi(SimpleNamespace):
    def xcom_push(self, key, value):
        self.pushed[key] = value

    def xcom_pull(self, task_ids, key):
        return self.pushed.get(key)


def test_the_post_link_is_on_the_operator_and_in_xcom(scripted, vk_conn):
    scripted.script = [ok({"post_id": 7}), ok({"success": 1, "post_id": 8})]
    ti = RecordingTi(dag_id="vk_daily", task_id="post", run_id="r", map_index=-1, try_number=1, pushed={})
    op = ops.VkCreatePostOperator(task_id="post", message="Hello")
    result = op.execute({"ti": ti})
    assert VkPostLink().get_link(op, ti_key=ti) == result["url"] == "https://vk.com/wall-1000001_7"
    assert ti.pushed[POST_URL_XCOM_KEY] == result["url"]
    # A fresh operator (as the UI has it) finds the URL the task pushed.
    assert VkPostLink().get_link(ops.VkCreatePostOperator(task_id="post", message="x"), ti_key=ti) == result["url"]
    repost = ops.VkRepostOperator(task_id="share", object_id="wall-1_1")
    ti.pushed.clear()
    assert repost.execute({"ti": ti})["url"] == ti.pushed[POST_URL_XCOM_KEY] == "https://vk.com/wall-1000001_8"


def test_stats_export_writes_json(scripted, vk_conn, tmp_path):
    scripted.script = [ok([{"period_from": 1, "visitors": {"views": 10}}]), ok([{"reach_total": 40}])]
    target = tmp_path / "stats.json"
    op = ops.VkExportStatsOperator(task_id="stats", date_from=1767225600, date_to=1767312000,
                                   output_path=str(target), post_ids=[101])
    assert op.execute(ti_context()) == {"path": str(target), "rows": 1, "reach_rows": 1}
    assert json.loads(target.read_text()) == {"stats": [{"period_from": 1, "visitors": {"views": 10}}],
                                              "reach": [{"post_id": 101, "reach_total": 40}]}


OPERATORS_AND_ARGS = [
    (ops.VkCreatePostOperator, {"message": "{{ ds }}", "photos": ["{{ ds }}.png"], "link": "https://x/{{ ds }}"}),
    (ops.VkCreateCompositePostOperator, {"message": "{{ ds }}", "attachments": ["photo-1_{{ params.n }}"]}),
    (ops.VkDeletePostOperator, {"post_id": "{{ params.n }}"}),
    (ops.VkRepostOperator, {"object_id": "wall-1_{{ params.n }}", "message": "{{ ds }}"}),
    (ops.VkCreateCommentOperator, {"post_id": "{{ params.n }}", "message": "{{ ds }}"}),
    (ops.VkCreateAlbumOperator, {"title": "Event {{ ds }}", "photos": ["{{ ds }}.jpg"]}),
    (ops.VkUploadPhotosOperator, {"album_id": "{{ params.n }}", "photos": ["{{ ds }}.jpg"], "caption": "{{ ds }}"}),
    (ops.VkCreateStoryOperator, {"path": "{{ ds }}.png", "link_url": "https://vk.com/{{ ds }}"}),
    (ops.VkUploadVideoOperator, {"path": "{{ ds }}.mp4", "name": "{{ ds }}"}),
    (ops.VkSendMessageOperator, {"peer_id": "{{ params.n }}", "message": "{{ ds }}"}),
    (ops.VkExportStatsOperator, {"date_from": "{{ params.n }}", "output_path": "/tmp/{{ ds }}.csv"}),
]


@pytest.mark.parametrize(("operator", "kwargs"), OPERATORS_AND_ARGS, ids=lambda v: getattr(v, "__name__", ""))
def test_every_operator_renders_its_templates(operator, kwargs):
    import jinja2

    op = operator(task_id="t", vk_conn_id="vk_{{ params.n }}", group_id="club{{ params.n }}", **kwargs)
    op.render_template_fields({"ds": "2026-01-01", "params": {"n": 5}}, jinja_env=jinja2.Environment())
    assert op.vk_conn_id == "vk_5" and op.group_id == "club5"
    for name, value in kwargs.items():
        rendered = getattr(op, name)
        assert "{{" not in json.dumps(rendered), (name, rendered)



def test_a_post_and_an_export_are_announced_through_the_outlets(scripted, vk_conn, tmp_path):
    from tests.operators.conftest import run_announcing

    scripted.script = [ok({"post_id": 7}), ok([{"period_from": 1}, {"period_from": 2}])]
    _, posted = run_announcing(ops.VkCreatePostOperator, ti_context(), task_id="post", message="Hello")
    assert posted == [("https://vk.com/wall-1000001_7", {"url": "https://vk.com/wall-1000001_7"})]
    target = tmp_path / "stats.csv"
    _, exported = run_announcing(ops.VkExportStatsOperator, ti_context(), task_id="stats", date_from=1767225600,
                                 output_path=str(target))
    assert exported == [(f"file://{target}", {"rows": 2, "reach_rows": 0})]
