"""X media from every kind of source, uploaded to the sandbox: the bytes X receives are the source's, retries
re-read the source, and a bad source fails before any call to X."""

from __future__ import annotations

import io
import json

import pytest

from airflow_provider_social.core.errors import PayloadTooLargeError, ValidationError
from tests.hooks.test_twitter import make_hook, tweets
from tests.hooks.twitter_helpers import png_bytes, x_connection
from tests.sources.conftest import BUCKET, S3_CONN_ID

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 9000  # ~2.2 MiB


@pytest.fixture
def hook(sandbox, make_connection):
    hook = make_hook(sandbox, x_connection(sandbox, make_connection))
    hook.media.chunk_size = 1024 * 1024
    return hook


def _uploaded(sandbox, media_id):
    return {m["id"]: m for m in sandbox.control.state("twitter")["media"]}[media_id]


def test_video_from_memory_store_and_http_url_with_a_dropped_append_retried(sandbox, hook, memory_store,
                                                                           http_files):
    memory_store.pipe("/clips/v.mp4", VIDEO)
    http_files.files["v.mp4"] = VIDEO
    for source in ("memory://clips/v.mp4", f"{http_files.url}/sized/v.mp4?sig=abc"):
        sandbox.control.add_fault(service="twitter", method="POST", path_contains="/append", action="drop",
                                  drop_after_bytes=200_000)
        media = hook.upload_media(source)
        uploaded = _uploaded(sandbox, media["media_id"])
        assert media["state"] == "succeeded" and media["kind"] == "video"
        assert uploaded["segments"] == 3 and uploaded["received_bytes"] == len(VIDEO)
        assert sandbox.control.faults() == []


def test_image_from_bytes_and_a_pipe_typed_by_its_first_bytes(sandbox, hook):
    image = hook.upload_media(png_bytes())
    assert image["kind"] == "image" and _uploaded(sandbox, image["media_id"])["category"] == "tweet_image"
    video = hook.upload_media(io.BufferedReader(io.BytesIO(VIDEO)))
    assert video["kind"] == "video" and _uploaded(sandbox, video["media_id"])["received_bytes"] == len(VIDEO)


def test_bad_sources_fail_before_any_call_to_x(sandbox, hook, memory_store, http_files):
    http_files.files["huge.gif"] = b"GIF89a" + bytes(16 * 1024 * 1024)
    with pytest.raises(ValidationError, match=r"path: memory://clips/none\.mp4 does not exist"):
        hook.upload_media("memory://clips/none.mp4")
    with pytest.raises(ValidationError, match=r"path: nosuch://b/v\.mp4: Airflow's object storage has no"):
        hook.upload_media("nosuch://b/v.mp4")
    with pytest.raises(PayloadTooLargeError, match=r"path: the gif huge\.gif is 16\.0 MiB, over the 15\.0 MiB"):
        hook.upload_media(f"{http_files.url}/sized/huge.gif")
    assert sandbox.control.state("twitter")["media"] == []


def test_operator_renders_a_list_of_sources(sandbox, make_connection, memory_store, http_files):
    from airflow_provider_social.operators.twitter import TwitterCreateTweetOperator

    memory_store.pipe("/p/a.png", png_bytes())
    http_files.files["b.png"] = png_bytes()
    conn_id = x_connection(sandbox, make_connection)
    rendered = json.dumps(["memory://p/a.png", f"{http_files.url}/chunked/b.png"])
    op = TwitterCreateTweetOperator(task_id="t", text="two sources", media_paths=rendered,
                                    twitter_conn_id=conn_id, deferrable=False)
    result = op.execute({"ti": None})
    assert len(result["media_ids"]) == 2 and tweets(sandbox)[0]["text"] == "two sources"


def test_video_from_s3(sandbox, hook, s3_store):
    s3_store.pipe(f"{BUCKET}/x/v.mp4", VIDEO)
    media = hook.upload_media(f"s3://{S3_CONN_ID}@{BUCKET}/x/v.mp4")
    assert _uploaded(sandbox, media["media_id"])["received_bytes"] == len(VIDEO)
