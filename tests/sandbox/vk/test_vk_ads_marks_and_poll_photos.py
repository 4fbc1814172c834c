"""Issue 27 on the VK sandbox: posts and reposts marked as advertising (``mark_as_ads``), and a poll's background
photo (``polls.getPhotoUploadServer`` -> upload -> ``polls.savePhoto`` -> ``polls.create(photo_id)``)."""

from __future__ import annotations

from vk_helpers import GROUP_ID, Vk, gif, jpeg, png

OWNER = -GROUP_ID
DAY = 86400


def _post(vk: Vk, post_id: int) -> dict:
    return vk.ok("wall.getById", posts=f"{OWNER}_{post_id}")["items"][0]


def test_a_community_post_marked_as_ads_carries_the_mark(vk: Vk) -> None:
    marked = vk.post(message="Sale", mark_as_ads=1)
    plain = vk.post(message="News")
    assert _post(vk, marked)["marked_as_ads"] == 1
    assert _post(vk, plain)["marked_as_ads"] == 0


def test_mark_as_ads_is_refused_on_a_post_not_published_as_the_community(vk: Vk) -> None:
    as_admin = vk.err("wall.post", owner_id=OWNER, from_group=0, message="Sale", mark_as_ads=1)
    assert as_admin["error_code"] == 100 and "mark_as_ads" in as_admin["error_msg"]
    own_wall = vk.err("wall.post", owner_id=1, message="Sale", mark_as_ads=1)
    assert own_wall["error_code"] == 100
    assert vk.control.vk_state()["walls"] == {}


def test_ads_posts_are_limited_per_day_and_a_guid_repeat_is_not_counted(vk: Vk, sandbox) -> None:
    first = vk.post(message="Ad 0", mark_as_ads=1, guid="ad-0")
    assert vk.post(message="Ad 0", mark_as_ads=1, guid="ad-0") == first  # the same post, not a second ad
    vk.post(message="Ad 1", mark_as_ads=1)
    vk.post(message="Ad 2", mark_as_ads=1)
    over = vk.err("wall.post", owner_id=OWNER, from_group=1, message="Ad 3", mark_as_ads=1)
    assert (over["error_code"], over["error_msg"]) == (224, "Too many ads posts")
    assert vk.post(message="Not an ad")  # plain posts are not limited by it
    sandbox.control.advance(DAY + 1)
    assert vk.post(message="Ad 3", mark_as_ads=1)


def test_a_repost_to_the_community_can_be_marked_as_ads_and_one_to_a_user_wall_cannot(vk: Vk) -> None:
    post_id = vk.post(message="Original")
    answer = vk.ok("wall.repost", object=f"wall{OWNER}_{post_id}", group_id=GROUP_ID, mark_as_ads=1)
    assert _post(vk, answer["post_id"])["marked_as_ads"] == 1
    refused = vk.err("wall.repost", object=f"wall{OWNER}_{post_id}", mark_as_ads=1)
    assert refused["error_code"] == 100 and "mark_as_ads" in refused["error_msg"]


def _poll_photo(vk: Vk, image: bytes, name: str = "bg.jpg", field: str = "photo") -> dict:
    server = vk.ok("polls.getPhotoUploadServer", owner_id=OWNER)
    return vk.upload(server["upload_url"], {field: (name, image)})


def test_a_poll_with_a_background_photo(vk: Vk) -> None:
    uploaded = _poll_photo(vk, jpeg(1590, 400))
    assert set(uploaded) == {"photo", "hash"}
    background = vk.ok("polls.savePhoto", **uploaded)
    assert isinstance(background["id"], int) and background["images"][0]["width"] == 1590
    poll = vk.ok("polls.create", question="Which?", add_answers='["A", "B"]', owner_id=OWNER,
                 photo_id=background["id"])
    assert poll["photo"]["id"] == background["id"]
    post_id = vk.post(message="Vote", attachments=f"poll{OWNER}_{poll['id']}")
    assert _post(vk, post_id)["attachments"][0]["poll"]["photo"]["id"] == background["id"]


def test_vk_io_s_file_field_is_taken_too(vk: Vk) -> None:
    assert vk.ok("polls.savePhoto", **_poll_photo(vk, gif(800, 300), "bg.gif", field="file"))["id"]


def test_the_poll_photo_host_refuses_what_vk_refuses(vk: Vk) -> None:
    for image, name, why in ((jpeg(794, 400), "narrow.jpg", "795x200"), (png(1590, 199), "low.png", "795x200"),
                             (b"BM" + b"\x00" * 64, "bmp.bmp", "format"), (jpeg(13000, 1500), "huge.jpg", "14000")):
        refused = vk.err("polls.savePhoto", **_poll_photo(vk, image, name))
        assert refused["error_code"] == 129 and why in refused["error_msg"], (name, refused)


def test_save_photo_checks_the_upload_s_hash_and_saves_once(vk: Vk) -> None:
    one, two = _poll_photo(vk, jpeg(1590, 400)), _poll_photo(vk, jpeg(1000, 400))
    assert vk.err("polls.savePhoto", photo=one["photo"], hash=two["hash"])["error_code"] == 121
    assert vk.err("polls.savePhoto", photo="garbage", hash=one["hash"])["error_code"] == 129
    assert vk.err("polls.savePhoto", photo=one["photo"])["error_code"] == 100  # hash is required
    assert vk.ok("polls.savePhoto", **one)
    assert vk.err("polls.savePhoto", **one)["error_code"] == 121  # saved once


def test_polls_create_takes_only_a_saved_photo_of_its_owner_and_vk_s_backgrounds(vk: Vk) -> None:
    background = vk.ok("polls.savePhoto", **_poll_photo(vk, jpeg(1590, 400)))
    unknown = vk.err("polls.create", question="Q", add_answers='["A"]', owner_id=OWNER, photo_id=999999)
    assert unknown["error_code"] == 100 and "photo_id" in unknown["error_msg"]
    foreign = vk.err("polls.create", question="Q", add_answers='["A"]', photo_id=background["id"])  # user's poll
    assert foreign["error_code"] == 100
    assert vk.ok("polls.create", question="Q", add_answers='["A"]', owner_id=OWNER, background_id=4)["id"]
    assert vk.err("polls.create", question="Q", add_answers='["A"]', owner_id=OWNER, background_id=5)[
        "error_code"] == 100
