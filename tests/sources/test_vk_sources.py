"""VK uploads from storage paths, URLs, bytes and file objects, against the sandbox: photos, videos, documents,
stories, product photos and collection covers; a file object is read once however many checks and uploads follow."""

from __future__ import annotations

import io
import struct
import zlib

import pytest

from airflow_provider_social.core.errors import ValidationError
from tests.hooks.vk.test_vk_sandbox import vk_sandbox, vk_state  # noqa: F401  (fixture)

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 1024


def png_bytes(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk)) + \
        b"\x00" * 64


def jpeg_bytes(width: int, height: int) -> bytes:
    """A JPEG whose frame header follows a 70 KiB APP1 segment, as a camera's EXIF block puts it."""
    app1 = b"\xff\xe1" + struct.pack(">H", 65535) + b"E" * 65533
    com = b"\xff\xfe" + struct.pack(">H", 6000) + b"c" * 5998
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app1 + com + sof + b"\xff\xd9"


def test_post_with_photos_and_a_video_from_a_store_a_url_and_a_pipe(sandbox, vk_sandbox, memory_store,  # noqa: F811
                                                                   http_files):
    hook = vk_sandbox()
    memory_store.pipe("/vk/a.png", png_bytes(640, 480))
    http_files.files["b.jpg"] = jpeg_bytes(800, 600)
    http_files.files["clip.mp4"] = VIDEO
    pipe = io.BufferedReader(io.BytesIO(png_bytes(300, 200)))  # read once: checked, then uploaded from the copy
    pipe.seekable = lambda: False  # type: ignore[method-assign]
    post = hook.create_post("From everywhere", photos=["memory://vk/a.png", f"{http_files.url}/chunked/b.jpg", pipe],
                            video=f"{http_files.url}/sized/clip.mp4", guid="sources")
    assert [a[:5] for a in post["attachments"]] == ["photo", "photo", "photo", "video"]
    state = vk_state(sandbox)
    assert len(state["videos"]) == 1 and len(state["photos"]) == 3


def test_story_document_and_shop_photos_from_other_sources(sandbox, vk_sandbox, memory_store, http_files):  # noqa: F811
    hook = vk_sandbox()
    assert hook.create_story(png_bytes(720, 1280))
    memory_store.pipe("/docs/report.pdf", b"%PDF-1.4\n" + b"x" * 100)
    doc = hook.upload_document("memory://docs/report.pdf")
    assert doc["attachment"].startswith("doc") and doc["title"] == "report.pdf"
    http_files.files["cover.png"] = png_bytes(500, 500)
    memory_store.pipe("/shop/m.png", png_bytes(800, 800))
    collection = hook.add_collection("Mugs", cover=f"{http_files.url}/sized/cover.png")
    added = hook.add_product({"name": "Mug classic", "description": "A white ceramic mug", "category_id": 301,
                              "price": "199.90", "main_photo": "memory://shop/m.png", "album_ids": [collection]})
    assert [i["id"] for i in hook.list_products()] == [added["item_id"]]


def test_bad_sources_are_refused_before_any_upload(sandbox, vk_sandbox, memory_store, http_files):  # noqa: F811
    hook = vk_sandbox()
    http_files.files["small.png"] = png_bytes(200, 200)
    memory_store.pipe("/vk/notes.png", b"plain text, not an image")
    with pytest.raises(ValidationError, match=r"photos: notes\.png is not a JPG, PNG or GIF"):
        hook.create_post("x", photos=["memory://vk/notes.png"])
    with pytest.raises(ValidationError, match=r"400x400"):
        hook.add_product({"name": "Mug classic", "description": "A white ceramic mug", "category_id": 301, "price": "1",
                          "main_photo": f"{http_files.url}/sized/small.png"})
    with pytest.raises(ValidationError, match=r"path: memory://docs/none\.pdf does not exist"):
        hook.upload_document("memory://docs/none.pdf")
    assert vk_state(sandbox)["photos"] == [] and vk_state(sandbox)["docs"] == []


def test_stats_export_to_a_store(sandbox, vk_sandbox, memory_store, make_connection):  # noqa: F811
    import csv
    import io
    import json

    from airflow_provider_social.operators.vk import VkExportStatsOperator

    hook = vk_sandbox("vk_stats")
    post = hook.create_post("Counted", guid="stats")["post_id"]
    op = VkExportStatsOperator(task_id="stats", vk_conn_id="vk_stats", date_from=int(sandbox.state.clock.now()) - 86400,
                               output_path="memory://reports/stats.csv", post_ids=[post])
    result = op.execute({})
    assert result["path"] == "memory://reports/stats.csv" and result["reach_rows"] == 1
    reach = list(csv.DictReader(io.StringIO(memory_store.cat_file("/reports/stats_reach.csv").decode())))
    assert int(reach[0]["post_id"]) == post
    assert sorted(memory_store.ls("/reports", detail=False)) == ["/reports/stats.csv", "/reports/stats_reach.csv"]
    as_json = VkExportStatsOperator(task_id="j", vk_conn_id="vk_stats", output_path="memory://reports/s.json",
                                    date_from=int(sandbox.state.clock.now()) - 86400).execute({})
    assert json.loads(memory_store.cat_file("/reports/s.json"))["stats"] is not None and as_json["reach_rows"] == 0
