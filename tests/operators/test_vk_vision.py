"""Vision operators against the sandbox: the adult gate (fail, continue, branch), results to XCom and a file."""

from __future__ import annotations

import json

import pytest
import requests

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.hooks.vk_vision.hook import VisionImageError
from airflow_provider_social.operators.vk_vision import (
    VkVisionDetectAdultOperator,
    VkVisionDetectObjectsOperator,
    VkVisionPersonsOperator,
    VkVisionRecognizeTextOperator,
)
from airflow_provider_social.sandbox.vk_vision import SANDBOX_SERVICE_TOKEN
from airflow_provider_social.sandbox.vk_vision.fixtures import make_png


@pytest.fixture
def vision(sandbox, make_connection):
    make_connection("vk_vision_default", "vk_vision", password=SANDBOX_SERVICE_TOKEN,
                    api_base_url=f"{sandbox.base_url}/vk-vision", max_retry_wait=5)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "safe.png").write_bytes(make_png(8, 8, (10, 20, 30)))
    (tmp_path / "unsafe.png").write_bytes(make_png(8, 8, markers={"nsfw": 1}))
    return tmp_path


def test_gate_fails_naming_unsafe_images(vision, folder, context):
    gate = VkVisionDetectAdultOperator(task_id="gate", images=[str(folder / "safe.png"), str(folder / "unsafe.png")])
    with pytest.raises(ValidationError, match="unsafe.png"):
        gate.execute(context)


def test_gate_continue_returns_safe_images_and_writes_the_file(vision, folder, context):
    out = folder / "out" / "adult.json"
    images = json.dumps([str(folder / "safe.png"), str(folder / "unsafe.png")])  # a rendered template
    result = VkVisionDetectAdultOperator(task_id="gate", images=images, on_unsafe="continue",
                                         output_path=str(out)).execute(context)
    assert result["safe_images"] == [str(folder / "safe.png")]
    assert result["unsafe_images"] == [str(folder / "unsafe.png")]
    assert json.loads(out.read_text()) == result["results"]
    assert context["ti"].xcom["safe_images"] == [str(folder / "safe.png")]  # gate.output["safe_images"]
    assert SANDBOX_SERVICE_TOKEN not in json.dumps(result)


def test_gate_branches(vision, folder, context, monkeypatch):
    from airflow.providers.standard.operators.branch import BranchMixIn

    chosen = []
    monkeypatch.setattr(BranchMixIn, "do_branch", lambda self, ctx, branches: chosen.append(branches))
    gate = VkVisionDetectAdultOperator(task_id="gate", images=[str(folder / "unsafe.png")], on_unsafe="branch",
                                       safe_task_ids="post", unsafe_task_ids="review")
    gate.execute(context)
    assert chosen == ["review"]


def test_objects_text_and_persons(vision, folder, context):
    objects = VkVisionDetectObjectsOperator(task_id="o", images=[str(folder / "safe.png")],
                                            modes=["object"]).execute(context)
    assert [lab["label"] for lab in objects[0]["labels"]["object"]] == ["Backpack", "Bicycle", "Person"]
    doc = folder / "doc.png"
    doc.write_bytes(make_png(8, 8, markers={"text": "Invoice 42"}))
    assert VkVisionRecognizeTextOperator(task_id="t", images=[str(doc)]).execute(context)[0]["text"] == "Invoice 42"
    group = folder / "group.png"
    group.write_bytes(make_png(8, 8, markers={"faces": 2}))
    with pytest.raises(VisionImageError, match="group.png: face set required only one face per image"):
        VkVisionPersonsOperator(task_id="p", action="set", space=1, images=[str(group)],
                                person_ids=[3]).execute(context)


def test_bad_operator_input_is_refused_before_any_request(vision, folder, context, monkeypatch):
    sent = []
    monkeypatch.setattr(requests.Session, "send", lambda *a, **k: sent.append(a))
    with pytest.raises(ValidationError, match="on_unsafe"):
        VkVisionDetectAdultOperator(task_id="g", images=["a.png"], on_unsafe="maybe")
    with pytest.raises(ValidationError, match="safe_task_ids"):
        VkVisionDetectAdultOperator(task_id="g", images=["a.png"], on_unsafe="branch")
    with pytest.raises(ValidationError, match="action"):
        VkVisionPersonsOperator(task_id="p", action="merge", space=1)
    with pytest.raises(ValidationError, match="lang"):
        VkVisionRecognizeTextOperator(task_id="t", images=["a.png"], lang="eng")
    with pytest.raises(ValidationError, match="images"):
        VkVisionDetectObjectsOperator(task_id="o", images=[str(folder / "nope.png")]).execute(context)
    with pytest.raises(ValidationError, match="space"):
        VkVisionPersonsOperator(task_id="p", action="truncate", space=11).execute(context)
    assert sent == []


def test_person_ids_rendered_as_a_json_list_string(vision, folder, context):
    alice = folder / "alice.png"
    alice.write_bytes(make_png(8, 8, markers={"face": "alice"}))
    result = VkVisionPersonsOperator(task_id="p", action="set", space=4, images=[str(alice)],
                                     person_ids="[12]").execute(context)  # what Jinja renders from a list
    assert result == [{"image": str(alice), "ok": True, "error": None, "person_id": 12}]
    deleted = VkVisionPersonsOperator(task_id="d", action="delete", space="4", person_ids="[12]").execute(context)
    assert deleted == [{"image": "person 12", "person_id": 12, "ok": True, "error": None}]


@pytest.mark.parametrize(("build", "field"), [
    (lambda: VkVisionDetectObjectsOperator(task_id="o", images=["a.png"], modes=["faces"]), "modes"),
    (lambda: VkVisionRecognizeTextOperator(task_id="t", images=["a.png"], scene=True, lang="de"), "lang"),
    (lambda: VkVisionRecognizeTextOperator(task_id="t", images=["a.png"], scene=True, detailed=True), "detailed"),
    (lambda: VkVisionDetectAdultOperator(task_id="g", images=["a.png"], threshold=1.5), "threshold"),
    (lambda: VkVisionPersonsOperator(task_id="p", action="recognize", space=12, images=["a.png"]), "space"),
    (lambda: VkVisionPersonsOperator(task_id="p", action="recognize", space=1, searcher=3), "searcher"),
    (lambda: VkVisionPersonsOperator(task_id="p", action="set", space=1, images=["a.png"]), "person_ids"),
])
def test_bad_arguments_fail_when_the_dag_is_parsed(build, field):
    with pytest.raises(ValidationError, match=f"{field}:"):
        build()


@pytest.mark.slow  # starts processes
def test_the_operators_module_imports_without_the_hook_or_requests():
    import subprocess
    import sys

    code = ("import sys, airflow.sdk; import airflow_provider_social.operators.vk_vision as m; "
            "m.VkVisionDetectAdultOperator(task_id='g', images=['a.png']); "
            "print(sorted(n for n in sys.modules if n == 'requests' or n.startswith('airflow_provider_social.hooks')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = eval(out.strip().splitlines()[-1])  # noqa: S307 - our own printed list
    assert "requests" not in loaded
    assert "airflow_provider_social.hooks.vk_vision.hook" not in loaded
    assert "airflow_provider_social.hooks.vk_vision.params" in loaded


def test_the_hook_property_builds_the_hook_at_run_time(vision):
    operator = VkVisionDetectObjectsOperator(task_id="o", images=["a.png"], yandex_disk_conn_id="disk")
    hook = operator.hook
    assert type(hook).__name__ == "VkVisionHook"
    assert (hook.vk_vision_conn_id, hook.yandex_disk_conn_id) == ("vk_vision_default", "disk")


# ------------------------------------------------------------------ issue 20: rendered garbage, nothing billed twice
#: Rendered garbage for every templated field of the Vision operators (wrong types, empty, huge, bracketed junk);
#: each must be an input error naming the field before any request.
VISION_GARBAGE = {
    "images": [None, 123, {"a": 1}, "", "[junk", "['/no/such/file.png']", "[1, 2]", "x" * 5000, "[]"],
    "output_path": [5, ["a.json"], "x" * 5000, "<dir>", "<file>/out.json"],
    "person_ids": ["abc", "", "[1, 'x']", "[junk", "-1", "9" * 5000, "[]", "{'a': 1}", 3.5],
}
OPERATORS = [
    lambda **kw: VkVisionDetectObjectsOperator(task_id="o", **kw),
    lambda **kw: VkVisionRecognizeTextOperator(task_id="t", **kw),
    lambda **kw: VkVisionDetectAdultOperator(task_id="g", **kw),
    lambda **kw: VkVisionPersonsOperator(task_id="p", action="set", space=1, **{"person_ids": [1], **kw}),
]


def _vision_garbage():
    for field, values in VISION_GARBAGE.items():
        builders = OPERATORS[3:] if field == "person_ids" else OPERATORS
        for number, value in enumerate(values):
            for index, build in enumerate(builders):
                yield pytest.param(build, field, value, id=f"{field}-{number}-op{index}")


def test_the_garbage_table_covers_every_templated_field():
    fields = {f for build in OPERATORS for f in build(images=["a.png"]).template_fields}
    assert set(VISION_GARBAGE) == fields


@pytest.mark.parametrize(("build", "field", "value"), list(_vision_garbage()))
def test_rendered_garbage_in_a_templated_field_is_an_input_error_before_any_request(vision, folder, context, sandbox,
                                                                                    build, field, value):
    if value == "<dir>":
        value = str(folder)  # an existing directory: the results could only fail after the paid request
    elif value == "<file>/out.json":
        value = str(folder / "safe.png" / "out.json")
    kwargs = {"images": [str(folder / "safe.png")], field: value}
    before = sandbox.control.requests()["by_service"].get("vk_vision", 0)
    with pytest.raises(ValidationError, match=f"{field}"):
        build(**kwargs).execute(context)
    assert sandbox.control.requests()["by_service"].get("vk_vision", 0) == before


def test_images_rendered_as_a_python_repr_are_read(vision, folder, context):
    images = str([str(folder / "safe.png"), str(folder / "unsafe.png")])  # "{{ params.images }}" renders a repr
    result = VkVisionDetectAdultOperator(task_id="g", images=images, on_unsafe="continue").execute(context)
    assert result["unsafe_images"] == [str(folder / "unsafe.png")]
    ids = VkVisionPersonsOperator(task_id="d", action="delete", space=1, person_ids="(5, 6)").execute(context)
    assert [r["person_id"] for r in ids] == [5, 6]


def test_a_lost_answer_fails_the_task_without_a_second_bill_unless_opted_in(vision, folder, context, sandbox):
    from airflow_provider_social.core.errors import SocialApiError

    sandbox.control.add_fault(service="vk_vision", action="lose_answer", path_contains="/adult/detect", times=2)
    with pytest.raises(SocialApiError, match="not sent again"):
        VkVisionDetectAdultOperator(task_id="g", images=[str(folder / "safe.png")]).execute(context)
    billed = [e for e in sandbox.control.created("vk_vision") if e["kind"] == "/api/v1/adult/detect"]
    assert len(billed) == 1
    result = VkVisionDetectAdultOperator(task_id="g", images=[str(folder / "safe.png")],
                                         resend_on_lost_answer=True).execute(context)
    assert result["safe_images"] == [str(folder / "safe.png")]
    assert len([e for e in sandbox.control.created("vk_vision") if e["kind"] == "/api/v1/adult/detect"]) == 3


def test_the_results_file_is_announced_through_the_outlets(vision, folder, context):
    """The results file is an Asset event of the running task (Airflow's current context)."""
    from airflow.sdk import AssetAlias
    from airflow.sdk.execution_time.context import OutletEventAccessors, set_current_context

    alias = AssetAlias("vision_results")
    out = folder / "objects.json"
    run_context = {**context, "outlet_events": OutletEventAccessors()}
    op = VkVisionDetectObjectsOperator(task_id="o", images=[str(folder / "safe.png")], output_path=str(out),
                                       outlets=[alias])
    with set_current_context(run_context):
        op.execute(run_context)
    [event] = run_context["outlet_events"][alias].asset_alias_events
    assert (event.dest_asset_key.uri, event.extra) == (f"file://{out}", {"images": 1})
    op.execute(context)  # outside a task run (no current context): written, nothing to announce to
