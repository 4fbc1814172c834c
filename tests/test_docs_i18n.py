"""Translations of the documentation site (docs/I18N.md): each Russian page names the English page it translates
by that page's hash, and the Russian navigation follows the English one."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import docs_i18n  # noqa: E402
import mkdocs_hooks  # noqa: E402

RUSSIAN_PAGES = sorted((docs_i18n.RU).rglob("*.md")) if docs_i18n.RU.exists() else []


@pytest.mark.parametrize("page", RUSSIAN_PAGES, ids=lambda p: str(p.relative_to(docs_i18n.RU)))
def test_every_russian_page_records_the_hash_of_an_existing_english_page(page):
    relative = page.relative_to(docs_i18n.RU)
    assert (docs_i18n.DOCS / relative).exists(), f"docs/ru/{relative} translates no English page docs/{relative}"
    assert docs_i18n.recorded_hash(page.read_text(encoding="utf-8")), (
        f"docs/ru/{relative}: no en_hash front matter (docs/I18N.md)")


@pytest.mark.parametrize("page", RUSSIAN_PAGES, ids=lambda p: str(p.relative_to(docs_i18n.RU)))
def test_every_russian_page_translates_the_english_page_as_it_is_now(page):
    """A change in English cannot silently leave its translation stale: update the Russian page with it, then its
    en_hash (docs/I18N.md; ``scripts/docs_i18n.py`` lists the stale pages)."""
    relative = page.relative_to(docs_i18n.RU)
    state = docs_i18n.translation_state(str(relative).replace("\\", "/"), docs_i18n.DOCS).state
    recorded = docs_i18n.recorded_hash(page.read_text(encoding="utf-8"))
    now = docs_i18n.english_hash(docs_i18n.DOCS / relative)
    assert state == "current", (
        f"docs/ru/{relative} is {state}: docs/{relative} changed since it was translated (en_hash {recorded}, "
        f"now {now}); carry the English change into the Russian page and set en_hash to the new hash")


def test_the_hash_is_sha256sum_cut_to_12(tmp_path):
    page = tmp_path / "page.md"
    page.write_bytes("# Страница\n".encode())
    assert docs_i18n.english_hash(page) == hashlib.sha256("# Страница\n".encode()).hexdigest()[:12]


def test_recorded_hash_reads_front_matter_only():
    assert docs_i18n.recorded_hash("---\nen_hash: 0123456789ab\n---\n# T\n") == "0123456789ab"
    assert docs_i18n.recorded_hash("---\nen_hash: '012345678901'\n---\n") == "012345678901"
    assert docs_i18n.recorded_hash("# T\n\nen_hash: 0123456789ab\n") is None
    assert docs_i18n.recorded_hash("---\nen_hash: 0123\n---\n") is None


def test_a_translation_is_missing_current_or_stale(tmp_path):
    docs = tmp_path / "docs"
    (docs / "ru" / "services").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    (docs / "services").mkdir()
    (docs / "services" / "vk.md").write_text("# VK\n")
    (docs / "cli.md").write_text("# CLI\n")
    current = docs_i18n.english_hash(docs / "index.md")
    (docs / "ru" / "index.md").write_text(f"---\nen_hash: {current}\n---\n# Главная\n")
    (docs / "ru" / "services" / "vk.md").write_text("---\nen_hash: 000000000000\n---\n# ВК\n")
    states = {page: docs_i18n.translation_state(page, docs).state for page in docs_i18n.english_pages(docs)}
    assert states == {"cli.md": "missing", "index.md": "current", "services/vk.md": "stale"}


def test_the_russian_nav_is_the_english_one_limited_to_translated_pages():
    nav = [{"Home": "index.md"}, {"Services": [{"VK": "services/vk.md"}, {"OK": "services/ok.md"}]},
           {"Project": [{"Changelog": "changelog.md"}]}]
    translated = {"index.md", "services/ok.md"}
    assert mkdocs_hooks.translated_nav(nav, translated, {"Services": "Сервисы"}) == [
        "index.md", {"Сервисы": ["services/ok.md"]}]


def test_links_to_pages_not_translated_yet_lead_to_the_english_edition(tmp_path):
    english, russian = tmp_path / "docs", tmp_path / "docs" / "ru"
    for page in ("index.md", "tokens.md", "services/vk.md", "services/ok.md", "img/health.png"):
        (english / page).parent.mkdir(parents=True, exist_ok=True)
        (english / page).write_text("x")
    (russian / "services").mkdir(parents=True)
    (russian / "services" / "ok.md").write_text("x")
    markdown = ("[токены](../tokens.md#which-store) [ОК](ok.md) [главная](../index.md) ![h](../img/health.png) "
                "[нет](../nowhere.md) [X](https://x.com/a.md) [тут](#anchor)")
    assert mkdocs_hooks.links_to_english(markdown, "services/vk.md", "services/vk/", russian, english) == (
        "[токены](../../../tokens/#which-store) [ОК](ok.md) [главная](../../../) ![h](../../../img/health.png) "
        "[нет](../nowhere.md) [X](https://x.com/a.md) [тут](#anchor)")


def test_the_stale_notice_goes_under_the_heading_that_titles_the_page():
    assert mkdocs_hooks.with_notice("# Заголовок\n\nТекст.\n", "Устарело.") == (
        '# Заголовок\n\n!!! warning ""\n    Устарело.\n\nТекст.\n')
    assert mkdocs_hooks.with_notice("Текст.\n", "Устарело.") == '!!! warning ""\n    Устарело.\n\nТекст.\n'
