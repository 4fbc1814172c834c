"""Issue 20: rendered garbage in every templated field of every VK operator, the sensor and the notifier is an
input error naming the field, and no request reaches the sandbox."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.ratelimit import rate_limiters
from airflow_provider_social.notifications.vk import VkNotifier
from airflow_provider_social.operators import vk as ops
from airflow_provider_social.sensors.vk import VkUserOnlineSensor
from tests.hooks.vk.conftest import png

PHOTO = "{photo}"  # replaced by a real local image in each test
CONN = {"vk_conn_id": [5, "", ["vk_default"]]}
GROUP = {"group_id": ["abc", "9" * 50, "[1, 2]", 12.5, {"gid": 1}]}
POST_FIELDS = {
    "message": [12345, ["a list"], {"text": "hi"}, "x" * 16385],
    "photos": [7, "[junk", "['/no/such/file.png']", "[{'a': 1}]", "x" * 5000, "[1, 2]"],
    "video": [5, ["a.mp4"], "/no/such/video.mp4", "{'a': 1}"],
    "poll": [5, "[1, 2]", "{'question': 5}", "{'question': 'Q', 'answers': []}", "{junk}", ["a"],
             "{'question': 'Q', 'answers': ['', ' ']}", "{'question': 'Q', 'answers': ['A'], 'end_date': 'inf'}"],
    "link": [5, "ftp://example.com", "[junk]", "https://" + "x" * 10_000],
    "attachments": [5, "[junk", "photo123", "['photo-1_2', 5]", "{'a': 1}"],
    "publish_date": [5, "soon", "2000-01-01 00:00:00", "[2030-01-01]", "9" * 500, "inf", True],
    "copyright": [5, "not a link", ["https://example.com"]],
}
TEXT_FIELDS = {"message": [5, {"a": 1}, "x" * 16385]}

#: operator or sensor class -> (valid keyword arguments, {templated field: rendered garbage values}).
GARBAGE = {
    ops.VkCreatePostOperator: ({"message": "valid"}, {**CONN, **GROUP, **POST_FIELDS}),
    ops.VkCreateCompositePostOperator: ({"attachments": ["photo-1000001_1"]}, {**CONN, **GROUP, **POST_FIELDS}),
    ops.VkDeletePostOperator: ({"post_id": 1}, {**CONN, **GROUP, "post_id": ["abc", -1, 0, "[1]", 1.5, {"a": 1}]}),
    ops.VkRepostOperator: ({"object_id": "wall-1_1"}, {**CONN, **GROUP, **TEXT_FIELDS,
                                                       "object_id": [5, "wall", "club1", "[junk]", {"a": 1}]}),
    ops.VkCreateCommentOperator: ({"post_id": 1, "message": "valid"}, {
        **CONN, **GROUP, "message": [5, {"a": 1}, "", "x" * 16385], "post_id": ["abc", -1, 0, "[1]"],
        "attachments": [5, "[junk", "photo123", "{'a': 1}"]}),
    ops.VkCreateAlbumOperator: ({"title": "Album"}, {**CONN, **GROUP, "title": [5, "", "x", "x" * 101, ["Album"]],
                                                     "description": [5, {"a": 1}, "x" * 1025],
                                                     "photos": [7, "[junk", "['/no/such/file.png']", "[1]"]}),
    ops.VkUploadPhotosOperator: ({"album_id": 1, "photos": [PHOTO]}, {
        **CONN, **GROUP, "album_id": ["abc", 0, -5, "[1]", 1.5], "photos": [7, "[junk", "['/no/such.png']", ""],
        "caption": [5, ["x"], "x" * 2049]}),
    ops.VkCreateStoryOperator: ({"path": PHOTO, "link_text": "open", "link_url": "https://vk.com/club1"}, {
        **CONN, **GROUP, "path": [5, "", "/no/such.png", ["a.png"]], "link_text": [5, "nonsense", ["open"]],
        "link_url": [5, "ftp://example.com", "https://" + "x" * 3000]}),
    ops.VkUploadVideoOperator: ({"link": "https://example.com/v"}, {
        **CONN, **GROUP, "path": [5, "/no/such/video.mp4", ["a.mp4"]], "link": [5, "ftp://example.com", ["x"]],
        "name": [5, "x" * 129, {"a": 1}], "description": [5, "x" * 5001]}),
    ops.VkSendMessageOperator: ({"peer_id": 2, "message": "valid"}, {
        **CONN, **GROUP, "peer_id": ["abc", "", 0, "[1]", 1.5, True], "message": [5, {"text": "hi"}, "x" * 4097, ""],
        "keyboard": [5, "[1]", "{'buttons': 5}", "{junk", "{'buttons': [[{'label': 'no action'}]]}"]}),
    ops.VkExportStatsOperator: ({"date_from": 1700000000, "output_path": "{tmp}/stats.json"}, {
        **CONN, **GROUP, "date_from": ["soon", "inf", True, "[1]", "9" * 500, ""],
        "date_to": ["soon", "inf", True, 1], "output_path": [5, "", "out.txt", ["a.json"], "{tmp}"],
        "post_ids": [-1, "[-1]", "abc", "[junk", "{'a': 1}", "[0]"]}),
    VkUserOnlineSensor: ({"user_id": 1}, {"user_id": ["", " ", "[1]", {"a": 1}, -5, True], **CONN}),
}
NOTIFIER_GARBAGE = {"peer_id": ["abc", "", 0, True], "message": [5, {"a": 1}, "x" * 4097], **CONN}


def _cases():
    for cls, (_, fields) in GARBAGE.items():
        for field, values in fields.items():
            for number, value in enumerate(values):
                yield pytest.param(cls, field, value, id=f"{cls.__name__}-{field}-{number}")


def test_the_garbage_table_covers_every_templated_field_of_every_vk_operator_sensor_and_notifier():
    operators = {getattr(ops, name) for name in ops.__all__} - {ops.VkBaseOperator}
    assert set(GARBAGE) == operators | {VkUserOnlineSensor}
    for cls, (_, fields) in GARBAGE.items():
        assert set(fields) == set(cls.template_fields), cls.__name__
    assert set(NOTIFIER_GARBAGE) == set(VkNotifier.template_fields)


@pytest.fixture
def vk_default(sandbox, make_connection, tmp_path):
    """The sandbox's vk_default connection, as `airflow social sandbox` prints it."""
    from airflow_provider_social.sandbox.connections import sandbox_connections

    rate_limiters.clear()
    conn = sandbox_connections(sandbox.base_url, sandbox.control)["vk_default"]
    make_connection("vk_default", "vk", **conn["extra"])
    # The operators' hooks keep time by the real clock while the sandbox's is frozen: its per-second limits would
    # count every request of a test in one second.
    sandbox.control.vk_configure(rate_limits={"user": None, "community": None})
    yield png(tmp_path / "photo.png", 640, 480)
    rate_limiters.clear()


def vk_requests(sandbox) -> int:
    served = sandbox.control.requests()["by_service"]
    return sum(n for service, n in served.items() if service.startswith("vk") and service != "vk_vision")


def _fill(value, photo, tmp_path):
    if isinstance(value, str):
        return value.replace(PHOTO, photo).replace("{tmp}", str(tmp_path))
    if isinstance(value, list):
        return [_fill(v, photo, tmp_path) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, photo, tmp_path) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("cls", "field", "value"), list(_cases()))
def test_rendered_garbage_is_an_input_error_naming_the_field_before_any_request(sandbox, vk_default, tmp_path, cls,
                                                                                field, value):
    valid, _ = GARBAGE[cls]
    kwargs = {**_fill(valid, vk_default, tmp_path), field: _fill(value, vk_default, tmp_path)}
    task = cls(task_id="t", **kwargs)
    before = vk_requests(sandbox)
    with pytest.raises(ValidationError, match=rf"VK[^:]*: {field}"):
        task.poke({}) if isinstance(task, VkUserOnlineSensor) else task.execute({})
    assert vk_requests(sandbox) == before


@pytest.mark.parametrize(("field", "value"), [pytest.param(f, v, id=f"{f}-{n}")
                                              for f, values in NOTIFIER_GARBAGE.items() for n, v in enumerate(values)])
def test_rendered_garbage_in_the_notifier_is_an_input_error_before_any_request(sandbox, vk_default, field, value):
    notifier = VkNotifier(**{"peer_id": 2, "message": "Task failed", field: value})
    before = vk_requests(sandbox)
    with pytest.raises(ValidationError, match=rf"VK[^:]*: {field}"):
        notifier.notify({})
    assert vk_requests(sandbox) == before


def test_lists_and_dicts_rendered_as_a_python_repr_are_read(sandbox, vk_default):
    """``{{ params.photos }}`` renders a list as its Python repr: the operator reads it (no '| tojson' needed)."""
    post = ops.VkCreatePostOperator(
        task_id="t", message="Rendered", photos=str([vk_default]),
        poll=str({"question": "Tea or coffee?", "answers": ["Tea", "Coffee"]}),
        attachments="[]").execute({})
    assert len(post["attachments"]) == 2 and post["attachments"][1].startswith("poll-1000001_")
    sent = ops.VkSendMessageOperator(
        task_id="m", peer_id="2", message="Hi",
        keyboard=str({"buttons": [[{"action": {"type": "text", "label": "OK"}}]]})).execute({})
    assert sent["message_id"]


@pytest.mark.parametrize("conn_id", ["vk default", "vk\ndefault", "x" * 251])
def test_a_connection_id_airflow_would_not_allow_is_refused_before_any_lookup(conn_id):
    # VK's own check took any non-empty text; it now follows Airflow's connection id rule as X and Yandex do.
    with pytest.raises(ValidationError, match="vk_conn_id"):
        ops.VkDeletePostOperator(task_id="d", post_id=1, vk_conn_id=conn_id).get_hook()
