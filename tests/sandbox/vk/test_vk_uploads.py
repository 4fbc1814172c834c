"""Upload servers and the save methods on the VK sandbox."""

from __future__ import annotations

import requests
from vk_helpers import GROUP_ID, Vk, gif, jpeg, png

OWNER = -GROUP_ID


def _wall_server(vk: Vk) -> dict:
    return vk.ok("photos.getWallUploadServer", group_id=GROUP_ID)


def test_wall_photo_flow_and_post(vk: Vk, sandbox) -> None:
    server = _wall_server(vk)
    # The upload host is another host than the API (pu.vk.com vs api.vk.ru): the sandbox's storage listener.
    assert server["upload_url"].startswith(f"{sandbox.storage_url}/vk-upload/") and server["group_id"] == GROUP_ID
    assert "access_token" not in server["upload_url"]
    uploaded = vk.upload(server["upload_url"], {"photo": ("a.jpg", jpeg(800, 600))})
    assert set(uploaded) == {"server", "photo", "hash"} and isinstance(uploaded["server"], int)
    assert isinstance(uploaded["photo"], str)
    photo = vk.ok("photos.saveWallPhoto", group_id=GROUP_ID, **uploaded)[0]
    assert (photo["owner_id"], photo["width"], photo["height"]) == (OWNER, 800, 600)
    post_id = vk.post(attachments=f"photo{photo['owner_id']}_{photo['id']}")
    assert vk.ok("wall.getById", posts=f"{OWNER}_{post_id}")["items"][0]["attachments"][0]["type"] == "photo"


def test_wall_photo_accepts_file_fields(vk: Vk) -> None:
    uploaded = vk.upload(_wall_server(vk)["upload_url"], {"file0": ("a.gif", gif(10, 10))})
    assert vk.ok("photos.saveWallPhoto", group_id=GROUP_ID, **uploaded)[0]["width"] == 10


def test_save_refuses_foreign_hash_server_and_photo(vk: Vk) -> None:
    one = vk.upload(_wall_server(vk)["upload_url"], {"photo": ("a.png", png(10, 10))})
    two = vk.upload(_wall_server(vk)["upload_url"], {"photo": ("b.png", png(20, 20))})
    mixed = vk.err("photos.saveWallPhoto", group_id=GROUP_ID, server=one["server"], photo=one["photo"],
                   hash=two["hash"])
    assert (mixed["error_code"], mixed["error_msg"]) == (121, "Invalid hash")
    other_server = vk.err("photos.saveWallPhoto", group_id=GROUP_ID, server=two["server"], photo=one["photo"],
                          hash=one["hash"])
    assert other_server["error_code"] == 121
    bad_server = vk.err("photos.saveWallPhoto", group_id=GROUP_ID, server=12345, photo=one["photo"],
                        hash=one["hash"])
    assert (bad_server["error_code"], bad_server["error_msg"]) == (118, "Invalid server")
    bad_photo = vk.err("photos.saveWallPhoto", group_id=GROUP_ID, server=one["server"], photo="garbage",
                       hash=one["hash"])
    assert bad_photo["error_code"] == 129
    wrong_group = vk.err("photos.saveWallPhoto", server=one["server"], photo=one["photo"], hash=one["hash"])
    assert wrong_group["error_code"] == 121
    assert vk.ok("photos.saveWallPhoto", group_id=GROUP_ID, **one)
    assert vk.err("photos.saveWallPhoto", group_id=GROUP_ID, **one)["error_code"] == 121  # saved once


def test_upload_hosts_are_served_on_the_storage_listener_only(vk: Vk, sandbox) -> None:
    for method, params in (("photos.getWallUploadServer", {}), ("photos.getUploadServer", {"album_id": 0}),
                           ("docs.getWallUploadServer", {}), ("stories.getPhotoUploadServer", {"add_to_news": 1})):
        if method == "photos.getUploadServer":
            params = {"album_id": vk.ok("photos.createAlbum", title="Uploads", group_id=GROUP_ID)["id"]}
        url = vk.ok(method, group_id=GROUP_ID, **params)["upload_url"]
        assert url.startswith(f"{sandbox.storage_url}/vk-upload/"), (method, url)
    video = vk.ok("video.save", name="clip", group_id=GROUP_ID)["upload_url"]
    assert video.startswith(f"{sandbox.storage_url}/vk-upload/")
    on_api_port = _wall_server(vk)["upload_url"].replace(sandbox.storage_url, sandbox.base_url)
    assert requests.post(on_api_port, files={"photo": ("a.png", png(10, 10))}, timeout=10).status_code == 404
    assert requests.post(f"{sandbox.storage_url}/vk-api/method/users.get", data={"v": "5.199"},
                         timeout=10).status_code == 404


def test_upload_url_is_single_use_and_expires(vk: Vk, sandbox) -> None:
    url = _wall_server(vk)["upload_url"]
    assert "hash" in vk.upload(url, {"photo": ("a.png", png(10, 10))})
    assert "error" in vk.upload(url, {"photo": ("a.png", png(10, 10))})
    late = _wall_server(vk)["upload_url"]
    sandbox.control.advance(3601)
    assert "expired" in vk.upload(late, {"photo": ("a.png", png(10, 10))})["error"]
    assert requests.post(url + "x", files={"photo": ("a", b"x")}, timeout=10).status_code == 404


def test_photo_limits_are_read_from_the_header(vk: Vk) -> None:
    for image, why in ((png(10000, 4001), "width + height"), (png(2100, 100), "aspect ratio"),
                       (b"not an image", "unsupported format")):
        uploaded = vk.upload(_wall_server(vk)["upload_url"], {"photo": ("x.png", image)})
        error = vk.err("photos.saveWallPhoto", group_id=GROUP_ID, **uploaded)
        assert error["error_code"] == 129 and why in error["error_msg"], error
    assert vk.wall_photo(png(10000, 4000))["width"] == 10000  # exactly at the limit
    assert vk.wall_photo(png(2000, 100))["height"] == 100  # exactly 1:20


def test_no_file_gives_an_empty_photo_list(vk: Vk) -> None:
    uploaded = vk.upload(_wall_server(vk)["upload_url"], {"other": ("a.png", png(10, 10))})
    assert uploaded["photo"] == "[]"
    assert vk.err("photos.saveWallPhoto", group_id=GROUP_ID, **uploaded)["error_code"] == 129


def test_album_flow_with_file1_to_file5(vk: Vk) -> None:
    album = vk.ok("photos.createAlbum", title="Sandbox album", group_id=GROUP_ID)
    assert (album["owner_id"], album["title"], album["size"]) == (OWNER, "Sandbox album", 0)
    server = vk.ok("photos.getUploadServer", album_id=album["id"], group_id=GROUP_ID)
    files = {f"file{i}": (f"{i}.png", png(10 * i, 10)) for i in range(1, 7)}
    uploaded = vk.upload(server["upload_url"], files)
    assert set(uploaded) == {"server", "photos_list", "aid", "hash"} and uploaded["aid"] == album["id"]
    photos = vk.ok("photos.save", album_id=album["id"], group_id=GROUP_ID, server=uploaded["server"],
                   photos_list=uploaded["photos_list"], hash=uploaded["hash"])
    assert [p["width"] for p in photos] == [10, 20, 30, 40, 50]  # file6 is not read
    other = vk.ok("photos.createAlbum", title="Other", group_id=GROUP_ID)
    second = vk.upload(vk.ok("photos.getUploadServer", album_id=album["id"], group_id=GROUP_ID)["upload_url"],
                       {"file1": ("a.png", png(5, 5))})
    assert vk.err("photos.save", album_id=other["id"], group_id=GROUP_ID, server=second["server"],
                  photos_list=second["photos_list"], hash=second["hash"])["error_code"] == 121
    assert vk.ok("photos.delete", owner_id=OWNER, photo_id=photos[0]["id"]) == 1
    assert vk.ok("photos.deleteAlbum", album_id=other["id"], group_id=GROUP_ID) == 1
    assert vk.err("photos.getUploadServer", album_id=other["id"], group_id=GROUP_ID)["error_code"] == 114


def test_album_in_a_foreign_community_is_refused(vk: Vk) -> None:
    assert vk.err("photos.createAlbum", title="x", group_id=1000002)["error_code"] == 203
    assert vk.err("photos.createAlbum", group_id=GROUP_ID)["error_msg"].endswith("title is undefined")


def test_document_flow_and_limits(vk: Vk) -> None:
    for method, token in (("docs.getUploadServer", vk.user), ("docs.getWallUploadServer", vk.community)):
        url = vk.ok(method, token, group_id=GROUP_ID)["upload_url"]
        uploaded = vk.upload(url, {"file": ("report.pdf", b"%PDF-1.4 sandbox")})
        assert set(uploaded) == {"file"}
        saved = vk.ok("docs.save", token, file=uploaded["file"], title="Report")
        assert saved["type"] == "doc" and saved["doc"]["title"] == "Report" and saved["doc"]["ext"] == "pdf"
        assert saved["doc"]["owner_id"] == OWNER
        assert vk.err("docs.save", token, file=uploaded["file"])["error_code"] == 100  # once
    url = vk.ok("docs.getUploadServer", group_id=GROUP_ID)["upload_url"]
    refused = vk.upload(url, {"file": ("song.mp3", b"ID3")})
    assert vk.err("docs.save", file=refused["file"])["error_code"] == 105
    url = vk.ok("docs.getUploadServer", group_id=GROUP_ID)["upload_url"]
    assert vk.upload(url, {"document": ("a.txt", b"x")}) == {"error": "no file"}
    assert vk.err("docs.save", file="forged.abc")["error_code"] == 100


def test_story_flow_with_link(vk: Vk) -> None:
    server = vk.ok("stories.getPhotoUploadServer", vk.community, add_to_news=1, link_text="more",
                   link_url="https://vk.ru/club1000001")
    assert server["user_ids"] == []
    uploaded = vk.upload(server["upload_url"], {"file": ("s.jpg", jpeg(720, 1280))})
    result = uploaded["response"]["upload_result"]
    saved = vk.ok("stories.save", vk.community, upload_results=result)
    assert saved["count"] == 1 and saved["items"][0]["link"]["text"] == "more"
    assert saved["items"][0]["owner_id"] == OWNER
    assert vk.err("stories.getPhotoUploadServer", vk.community)["error_code"] == 100
    assert vk.err("stories.getPhotoUploadServer", vk.community, add_to_news=1, link_text="nope",
                  link_url="https://vk.ru/x")["error_code"] == 100
    assert vk.err("stories.getPhotoUploadServer", add_to_news=1, link_text="more",
                  link_url="https://vk.ru/x")["error_code"] == 100  # links only for communities


def test_story_image_limit_is_10_mb(vk: Vk) -> None:
    url = vk.ok("stories.getPhotoUploadServer", vk.community, add_to_news=1)["upload_url"]
    big = png(720, 1280, pad=10 * 1000 * 1000)  # just over 10 MB of 10^6 bytes (the stricter reading)
    result = vk.upload(url, {"file": ("s.png", big)})["response"]["upload_result"]
    error = vk.err("stories.save", vk.community, upload_results=result)
    assert error["error_code"] == 129 and "too big" in error["error_msg"]


def test_video_flow(vk: Vk) -> None:
    saved = vk.ok("video.save", name="Clip", group_id=GROUP_ID)
    assert {"upload_url", "video_id", "owner_id", "title", "access_key"} <= set(saved)
    ref = f"video{saved['owner_id']}_{saved['video_id']}"
    assert vk.err("wall.post", owner_id=OWNER, message="x", attachments=ref)["error_code"] == 100  # not uploaded
    uploaded = vk.upload(saved["upload_url"], {"video_file": ("clip.mp4", b"\x00\x00\x00\x18ftypmp42")})
    assert uploaded["video_id"] == saved["video_id"] and uploaded["size"] == 12
    assert vk.post(message="x", attachments=ref)
    bad = vk.ok("video.save", name="Bad", group_id=GROUP_ID)
    assert "error" in vk.upload(bad["upload_url"], {"video_file": ("clip.exe", b"MZ")})


def test_stories_save_is_all_or_nothing(vk: Vk) -> None:
    def result() -> str:
        url = vk.ok("stories.getPhotoUploadServer", vk.community, add_to_news=1)["upload_url"]
        return vk.upload(url, {"file": ("s.png", png(720, 1280))})["response"]["upload_result"]

    good = result()
    assert vk.err("stories.save", vk.community, upload_results=f"{good},forged.x")["error_code"] == 100
    assert vk.ok("stories.save", vk.community, upload_results=good)["count"] == 1


def test_story_upload_servers_refuse_versions_below_5_236(vk: Vk) -> None:
    """VK's story upload servers answer that the API version is outdated below 5.236 (VKCOM/vk-php-sdk#115)."""
    for old in ("5.199", "5.235", "5.99"):
        error = vk.err("stories.getPhotoUploadServer", vk.community, add_to_news=1, v=old)
        assert error["error_code"] == 8 and "versions below 5.236 are deprecated" in error["error_msg"], old
    assert vk.ok("stories.getPhotoUploadServer", vk.community, add_to_news=1, v="5.236")["upload_url"]
    assert vk.ok("stories.getPhotoUploadServer", vk.community, add_to_news=1, v="5.240")["upload_url"]
    assert vk.ok("photos.getWallUploadServer", group_id=GROUP_ID, v="5.199")["upload_url"]  # others keep 5.199


def test_photos_get_lists_the_wall_album_newest_first(vk: Vk) -> None:
    first, second = vk.wall_photo(), vk.wall_photo()
    listed = vk.ok("photos.get", owner_id=-GROUP_ID, album_id="wall", rev=1, count=1)
    assert listed["count"] == 2 and [p["id"] for p in listed["items"]] == [second["id"]]
    oldest = vk.ok("photos.get", owner_id=-GROUP_ID, album_id="wall")
    assert [p["id"] for p in oldest["items"]] == [first["id"], second["id"]]
    assert vk.err("photos.get", owner_id=-GROUP_ID, album_id=999999)["error_code"] == 200
