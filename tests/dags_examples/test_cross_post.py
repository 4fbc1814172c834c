"""dags_examples/cross_post.py: the same announcement with a banner to OK, VK and X, branches isolated.

The branches run in-process against the sandbox with the connections `make demo` uses (`sandbox_connections`);
`make demo` itself runs the DAG under `airflow dags test`.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from airflow_provider_social.core.errors import SocialApiError
from tests.dags_examples.conftest import load_example


@pytest.fixture(scope="module")
def example():
    return load_example("cross_post.py")


@pytest.fixture
def banner(example, demo_connections):
    """What ``make_banner`` made: the day's banner on Yandex Disk, as a ``yadisk://`` URL."""
    return example.cross_post().get_task("make_banner").python_callable(ds="2026-05-01")


class TI(SimpleNamespace):
    """Enough of a task instance for the branches: try number, XCom push, and the banner's XCom."""

    def xcom_push(self, key, value):
        self.pushed[key] = value

    def xcom_pull(self, task_ids=None, key="return_value", **kwargs):
        return self.banner if task_ids == "make_banner" else None


def run_branch(task, banner: str) -> dict:
    ti = TI(try_number=1, pushed={}, banner=banner, task_id=task.task_id, dag_id="cross_post", run_id="manual",
            map_index=-1)
    context = {"ti": ti, "task_instance": ti, "ds": "2026-05-01", "run_id": "manual", "dag_run": None}
    task.render_template_fields(context)
    return task.execute(context)


def test_three_independent_branches_and_a_summary_that_always_runs(example):
    dag = example.cross_post()
    assert set(example.NETWORKS) == {"ok", "vk", "x"}
    for task_id in example.NETWORKS.values():
        assert dag.get_task(task_id).upstream_task_ids == {"make_banner"}  # no branch waits for another
    summary = dag.get_task("summary")
    assert summary.trigger_rule == "all_done" and summary.upstream_task_ids == set(example.NETWORKS.values())


def test_the_banner_is_kept_on_disk_and_read_from_there(example, banner):
    from airflow.sdk import ObjectStoragePath

    assert banner == "yadisk://yandex_disk_default@/Banners/release-2026-05-01.png"
    assert ObjectStoragePath(banner).read_bytes() == example.banner_png()


def test_one_failing_network_does_not_stop_the_others(example, sandbox, banner):
    # VK refuses the post (214: posting to the wall is closed): an API answer, so it is not retried
    sandbox.control.add_fault(service="vk", path_contains="wall.post", status=200, times=5, body={"error": {
        "error_code": 214, "error_msg": "Access to adding post denied", "request_params": []}})
    dag = example.cross_post()
    results: dict[str, dict | None] = {}
    for network, task_id in example.NETWORKS.items():
        try:
            results[network] = run_branch(dag.get_task(task_id), banner)
        except SocialApiError:
            results[network] = None
    assert results["vk"] is None and results["ok"] and results["x"]

    summary = example.summarise(results)
    assert summary == {"ok": results["ok"]["url"], "vk": None, "x": results["x"]["url"]}
    text = "Release 2026-05-01 is out: faster uploads and a new dashboard. Details: https://example.com/release"
    topic = sandbox.control.state("ok")["topics"][0]
    assert topic["media"][0] == {"type": "text", "text": text} and topic["media"][1]["type"] == "photo"
    tweet = sandbox.control.state("twitter")["tweets"][0]
    assert tweet["text"] == text and len(tweet["media_ids"]) == 1


def test_every_network_posts_the_same_announcement_with_the_banner(example, sandbox, banner):
    dag = example.cross_post()
    results = {network: run_branch(dag.get_task(task_id), banner)
               for network, task_id in example.NETWORKS.items()}
    assert results["vk"]["url"].startswith("https://vk.com/wall-") and results["vk"]["attachments"]
    assert all(example.summarise(results).values())


def test_the_summary_fails_only_when_no_network_got_it(example, capsys):
    with pytest.raises(RuntimeError, match="reached no network"):
        example.summarise({"ok": None, "vk": None, "x": None})
    assert example.summarise({"ok": None, "vk": {"url": "https://vk.com/wall-1_2"}, "x": None})["vk"]
    assert "ok: FAILED" in capsys.readouterr().out
