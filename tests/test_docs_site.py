"""The documentation site's own rules (the strict build itself runs as `make docs-build` in .ci/run; the browser
test, tests/browser/test_docs_site.py, opens the built site)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))
import mkdocs_hooks  # noqa: E402

REFERENCED_ROLES = ("operators", "sensors", "triggers", "notifications", "links")


def _english_pages() -> dict[str, str]:
    return {str(p.relative_to(DOCS)): p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md")
            if p.relative_to(DOCS).parts[0] != "ru"}


def test_the_readme_is_the_front_page_with_links_into_the_site():
    """Nothing in the README that the site does not say: it is docs/index.md, its links pointing into docs/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    assert readme.replace("](docs/", "](") == index, (
        "README.md must be docs/index.md with each relative link prefixed by docs/ (edit both)")
    assert len(readme.splitlines()) < 250
    assert "make demo" in readme and "make test" in readme


def test_every_example_dag_is_shown_on_a_page():
    """The examples on the site are the files `make demo` runs (scripts/demo.py runs every dags_examples/*.py)."""
    included = set(re.findall(r'--8<-- "dags_examples/([^"]+)"', "\n".join(_english_pages().values())))
    examples = {p.name for p in (ROOT / "dags_examples").iterdir() if p.suffix in (".py", ".json")}
    assert examples - included == set()


def _public_classes(module_path: Path) -> list[str]:
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef) and not node.name.startswith("_")]


def test_every_operator_sensor_trigger_notifier_and_link_has_a_generated_reference():
    referenced = set(re.findall(r"^::: (\S+)$", "\n".join(_english_pages().values()), re.MULTILINE))
    package = ROOT / "airflow_provider_social"
    expected = {
        f"airflow_provider_social.{role}.{module.stem}.{name}"
        for role in REFERENCED_ROLES
        for module in (package / role).glob("*.py") if module.stem not in ("__init__", "base")
        for name in _public_classes(module)
    }
    assert expected - referenced == set()


def test_the_build_check_finds_resources_on_other_hosts(tmp_path):
    (tmp_path / "index.html").write_text(
        '<a href="https://example.com/">a link is fine</a><script src="assets/local.js"></script>'
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        '<img alt="x" src="//cdn.example.org/x.png">')
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "style.css").write_text(
        "@font-face{src:url(fonts/local.woff2)}\n@import 'https://cdn.example.org/x.css';")
    assert mkdocs_hooks.external_fetches(tmp_path) == [
        "assets/style.css: https://cdn.example.org/x.css",
        "index.html: https://fonts.googleapis.com/css?family=Roboto",
        "index.html: //cdn.example.org/x.png",
    ]


def test_material_is_configured_without_web_fonts():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^  font: false$", config, re.MULTILINE)
    assert re.search(r"^strict: true$", config, re.MULTILINE)


def test_sphinx_roles_in_docstrings_render_as_plain_code():
    html = ("shells over :class:<code>~airflow_provider_social.hooks.vk.VkHook</code>; see "
            ":meth:<code>wait_for_operation</code> and :class:<code>core.errors.ConflictError</code>")
    assert mkdocs_hooks.without_sphinx_roles(html) == (
        "shells over <code>VkHook</code>; see <code>wait_for_operation</code> and "
        "<code>core.errors.ConflictError</code>")
