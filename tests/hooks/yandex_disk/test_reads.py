"""Disk reads against the sandbox: the flat list paged to the end, files changed in a window (windows that meet
without gaps or doubles), the capped last-uploaded list reported when it cannot cover a window, no download links
in what is read, and the bounds."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.hooks.yandex_disk.reads import FILE_FIELDS


def seed(sandbox, files: int, *, start: int, step: int = 60, **more) -> None:
    sandbox.control.configure("yandex_disk", seed={"files": files, "start": start, "step": step, **more})


def test_every_file_is_read_flat_page_by_page(sandbox, hook):
    seed(sandbox, 2500, start=int(sandbox.control.now()) - 2500 * 60)
    stream = hook.read_files(page_size=1000)
    files = list(stream)
    assert len(files) == len({f["path"] for f in files}) == 2500
    assert stream.requests == 3 and stream.complete  # 1000 + 1000 + 500
    assert set(files[0]) == set(FILE_FIELDS) and all("file" not in f for f in files)  # no signed link read


def test_an_exact_multiple_of_the_page_ends_with_one_empty_page(sandbox, hook):
    seed(sandbox, 200, start=int(sandbox.control.now()) - 200 * 60)
    stream = hook.read_files(page_size=100)
    assert len(list(stream)) == 200 and stream.requests == 3


def test_media_type_narrows_the_list(sandbox, hook):
    seed(sandbox, 40, start=int(sandbox.control.now()) - 40 * 60)
    images = list(hook.read_files(media_type="image"))
    assert len(images) == 10 and all(f["media_type"] == "image" for f in images)


def test_changed_files_windows_meet_without_gaps_or_doubles(sandbox, hook):
    now = int(sandbox.control.now())
    first = now - 3 * 3600
    seed(sandbox, 180, start=first)
    seen = []
    for hour in range(3):
        start, end = first + hour * 3600, first + (hour + 1) * 3600
        stream = hook.read_changed_files(since=start, until=end, page_size=500)
        files = list(stream)
        assert len(files) == 60 and stream.complete
        seen += [f["path"] for f in files]
    assert len(set(seen)) == 180


def test_an_overwrite_counts_as_a_change(sandbox, hook):
    now = int(sandbox.control.now())
    seed(sandbox, 10, start=now - 7200, step=60)
    sandbox.state.clock.advance(60)
    hook.upload_bytes(b"new content", "disk:/seeded/d0000/file000003.pdf", overwrite=True)
    changed = list(hook.read_changed_files(since=now, until=now + 3600))
    assert [f["path"] for f in changed] == ["disk:/seeded/d0000/file000003.pdf"]


def test_last_uploaded_reports_a_window_it_cannot_cover(sandbox, hook):
    now = int(sandbox.control.now())
    seed(sandbox, 300, start=now - 300 * 60)
    whole = hook.read_last_uploaded(since=now - 100 * 60, limit=200)
    assert len(list(whole)) == 100 and whole.complete and whole.requests == 1
    capped = hook.read_last_uploaded(since=now - 250 * 60, limit=200)
    assert len(list(capped)) == 200 and not capped.complete
    assert "older uploads may be missing" in (capped.stopped or "")


def test_bad_arguments_are_refused_before_any_call(sandbox, hook):
    before = sandbox.control.requests()["total"]
    for call, match in [(lambda: hook.read_files(page_size=0), "page_size"),
                        (lambda: hook.read_files(media_type="pictures"), "media_type"),
                        (lambda: hook.read_changed_files(since=200, until=100), "until"),
                        (lambda: hook.read_last_uploaded(limit=20_000), "limit"),
                        (lambda: hook.read_files(max_items=-1), "max_items")]:
        with pytest.raises(ValidationError, match=match):
            call()
    assert sandbox.control.requests()["total"] == before



def test_the_sandbox_refuses_an_undocumented_media_type(sandbox):
    import requests

    token = sandbox.control.mint_tokens("yandex")["access_token"]
    for endpoint in ("files", "last-uploaded"):
        response = requests.get(f"{sandbox.base_url}/yandex-disk/v1/disk/resources/{endpoint}",
                                params={"media_type": "image,pictures"}, headers={"Authorization": f"OAuth {token}"},
                                timeout=10)
        assert response.status_code == 400 and response.json()["error"] == "FieldValidationError"
        assert "pictures" in response.json()["description"]
