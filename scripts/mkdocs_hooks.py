"""MkDocs hooks of the documentation site (mkdocs.yml ``hooks:``), for both editions.

- Sphinx cross-reference roles in docstrings (``:class:`~a.b.C```), which mkdocstrings shows as typed, read as
  plain code (``C``).
- The built site must load nothing from the internet (readers and CI may be offline): after the build every page
  and stylesheet is scanned for resources on other hosts; one found is an error, so the strict build fails.
- The Russian edition (mkdocs.ru.yml, docs/I18N.md): its navigation is the English one, limited to the pages
  translated so far, each titled by its own heading; a link to a page or image not translated yet leads to the
  English edition's; a page whose English original changed since its ``en_hash`` gets a notice at the top; a page
  without ``en_hash`` fails the build.
"""

from __future__ import annotations

import logging
import posixpath
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_i18n import DOCS, english_hash, recorded_hash  # noqa: E402

log = logging.getLogger("mkdocs.hooks.social_docs")

# A resource the browser fetches by itself: script/img/iframe/media sources, any <link> (stylesheets, fonts,
# preconnect, icons) and CSS url()/@import, pointing at an absolute or protocol-relative URL.
_HTML_FETCHES = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*?\ssrc\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)"
    r"|<link\b[^>]*?\shref\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)
_CSS_FETCHES = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)


def external_fetches(site_dir: Path) -> list[str]:
    """``file: URL`` for every resource a page or stylesheet of the built site would fetch from another host."""
    found = []
    for path in sorted(site_dir.rglob("*")):
        if path.suffix not in (".html", ".css"):
            continue
        pattern = _HTML_FETCHES if path.suffix == ".html" else _CSS_FETCHES
        for match in pattern.finditer(path.read_text(encoding="utf-8", errors="replace")):
            url = next(group for group in match.groups() if group)
            found.append(f"{path.relative_to(site_dir)}: {url}")
    return found


_SPHINX_ROLE = re.compile(r":(?:class|meth|func|attr|mod|exc|data|obj|const):<code>(~?)([^<]*)</code>")


def without_sphinx_roles(html: str) -> str:
    """``:class:<code>~a.b.C</code>`` -> ``<code>C</code>``; without the ``~`` the full name stays."""
    return _SPHINX_ROLE.sub(lambda m: f"<code>{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}</code>",
                            html)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return without_sphinx_roles(html)


def _is_russian(config: Any) -> bool:
    return config["theme"]["language"] == "ru"


def translated_nav(nav: list, translated: set[str], section_titles: dict[str, str]) -> list:
    """The English nav keeping only translated pages (untitled, so each page's own heading titles it) and the
    sections that still hold one, their titles translated."""
    result: list = []
    for entry in nav:
        if isinstance(entry, str):
            if entry in translated:
                result.append(entry)
            continue
        ((title, value),) = entry.items()
        if isinstance(value, list):
            children = translated_nav(value, translated, section_titles)
            if children:
                result.append({section_titles.get(title, title): children})
        elif value in translated:
            result.append(value)
    return result


_RELATIVE_LINK = re.compile(r"(\]\()(?![a-z][a-z0-9+.-]*:|#|/)([^)\s#]+)(#[^)\s]*)?(\))", re.IGNORECASE)


def english_url(target: str) -> str:
    """The site URL (directory URLs) of a file of the English edition, relative to the site root."""
    if not target.endswith(".md"):
        return target
    stem = target[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def links_to_english(markdown: str, page_src: str, page_url: str, russian_docs: Path, english_docs: Path) -> str:
    """Relative links of a Russian page whose target is not translated (not under docs/ru/) but exists in English
    point at the English edition's page or file instead (the Russian site is built into site/ru/)."""
    to_site_root = "../" * (page_url.count("/") + 1)

    def rewrite(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page_src), match.group(2)))
        if (russian_docs / target).exists() or not (english_docs / target).is_file():
            return match.group(0)
        return f"{match.group(1)}{to_site_root}{english_url(target)}{match.group(3) or ''}{match.group(4)}"

    return _RELATIVE_LINK.sub(rewrite, markdown)


def with_notice(markdown: str, notice: str) -> str:
    """The page with a warning under its first ``# `` heading (above it, MkDocs would no longer take the page's
    title from the heading)."""
    block = f'!!! warning ""\n    {notice}\n'
    heading = re.search(r"^# .*\n", markdown, re.MULTILINE)
    if heading is None:
        return f"{block}\n{markdown}"
    return f"{markdown[: heading.end()]}\n{block}{markdown[heading.end():]}"


def on_config(config: Any) -> Any:
    if _is_russian(config):
        docs_dir = Path(config["docs_dir"])
        translated = {str(p.relative_to(docs_dir)) for p in docs_dir.rglob("*.md")}
        config["nav"] = translated_nav(config["nav"] or [], translated, config["extra"].get("section_titles", {}))
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if not _is_russian(config):
        return markdown
    english = DOCS / page.file.src_uri
    if not english.exists():
        log.error("%s: no English page %s to translate", page.file.src_uri, english.relative_to(DOCS.parent))
        return markdown
    # Read from the file, not page.meta: YAML would turn an all-digit hash into a number.
    recorded = recorded_hash(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
    if recorded is None:
        log.error("%s: no en_hash in its front matter (docs/I18N.md says how to record it)", page.file.src_uri)
        return markdown
    markdown = links_to_english(markdown, page.file.src_uri, page.url, Path(config["docs_dir"]), DOCS)
    if recorded != english_hash(english):
        notice = config["extra"].get("stale_translation_notice", "The English page changed since this translation.")
        return with_notice(markdown, notice)
    return markdown


def on_post_build(config: Any) -> None:
    for fetch in external_fetches(Path(config["site_dir"])):
        log.error("the built site loads a resource from another host (it must work offline): %s", fetch)
