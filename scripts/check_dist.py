"""`make check-dist`: build the sdist and the wheel, check them, and try the wheel where users install it.

1. Build both into build/dist/ (``python -m build``), ``twine check --strict`` them, and check the metadata (name,
   the one version, license expression and file, Python range, extras), the ``py.typed`` marker, the LICENSE, and
   that every file of the package in git is in both.
2. The matrix: the ends of the promise in pyproject.toml, Python 3.10 and 3.13 x the lowest Airflow the metadata
   allows (the newest patch of its minor, from ``pip index versions``) and the Airflow we pin (Makefile). Each
   combination installs the **wheel** (with the ``[postgres,redis]`` extras) into a clean virtualenv and runs
   scripts/smoke_installed.py there: ``airflow providers list``, the provider-info schema, the sandbox, and one
   example DAG per service under ``airflow dags test``.
3. ``--fast-tier MARKERS``: on the same two Pythons, a virtualenv with the development extras (an editable install of
   the checkout and the pinned Airflow) runs the fast test tier, ``pytest -m MARKERS``.

Combinations run ``--jobs`` at a time. Pythons are found as ``python3.X`` on PATH, then under pyenv's versions
directory (``$PYENV_ROOT``, else ``~/.pyenv``); a missing one stops the run with one line saying so.
"""

from __future__ import annotations

import argparse
import ast
import email
import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "build" / "dist"
WORK = ROOT / "build" / "check-dist"
PACKAGE = "airflow_provider_social"
# The ends of requires-python that we promise and test; raise the upper one when a newer Python is tested.
PYTHONS = ("3.10", "3.13")
# One example DAG per service, run against the sandbox (cross_post is the one that posts to Odnoklassniki).
SMOKE_DAGS = {
    "VK": "vk_community_daily",
    "VK Cloud Vision": "vision_moderation",
    "Twitter/X": "twitter_daily_digest",
    "Yandex Disk": "yandex_disk_backup",
    "Odnoklassniki": "cross_post",
}


class CheckFailed(Exception):
    pass


def log(message: str) -> None:
    print(f"check-dist: {message}", flush=True)


def run(command: list, log_file: Path | None = None, cwd: Path | None = None, timeout: float = 1800,
        env: dict[str, str] | None = None) -> Ran:
    """Run a command, its output into ``log_file`` when given; raises CheckFailed when it fails. The CPU time it and
    its children used is measured too: it says what a step costs on an idle machine, whatever the load here."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen([str(c) for c in command], stdout=out, stderr=subprocess.STDOUT, text=True, cwd=cwd,
                                   env={**inherited, **(env or {})})
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if log_file:
        log_file.write_text(output)
    if process.returncode != 0:
        where = f" (log: {log_file.relative_to(ROOT)})" if log_file else ""
        raise CheckFailed(f"{' '.join(map(str, command[:4]))} ... exited {process.returncode}{where}\n"
                          + "\n".join(output.splitlines()[-25:]))
    return Ran(output, usage.ru_utime + usage.ru_stime)


@dataclass(frozen=True)
class Ran:
    output: str
    cpu: float


# ---- finding the Pythons and the Airflow versions ----

def find_python(version: str) -> str:
    name = f"python{version}"

    def is_it(path: str | None) -> bool:
        if not path:
            return False
        probe = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True)
        return probe.returncode == 0 and probe.stdout.strip() == version

    on_path = shutil.which(name)
    if is_it(on_path):
        return str(on_path)
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates = sorted(glob.glob(str(pyenv_root / "versions" / f"{version}.*" / "bin" / name)),
                        key=lambda p: [int(n) for n in re.findall(r"\d+", Path(p).parent.parent.name)], reverse=True)
    for candidate in candidates:
        if is_it(candidate):
            return candidate
    raise SystemExit(f"check-dist: Python {version} not found (no working {name} on PATH nor under "
                     f"{pyenv_root}/versions/{version}.*); install it, e.g. `pyenv install {version}`")


def lowest_airflow_minor() -> str:
    """The minor version the metadata's lower bound on apache-airflow names (">=3.2" -> "3.2")."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        found = re.fullmatch(r"apache-airflow\s*>=\s*(\d+\.\d+)(?:\.\d+)?\s*(?:,.*)?", requirement.strip())
        if found:
            return found.group(1)
    raise CheckFailed("pyproject.toml has no apache-airflow>=X.Y dependency")


def release_time(version: str) -> str:
    """A day after PyPI received apache-airflow ``version`` (ISO 8601, from PyPI's JSON API): installing with
    ``--uploaded-prior-to`` it gets the dependency versions of the release's day."""
    import json
    import urllib.request

    with urllib.request.urlopen("https://pypi.org/pypi/apache-airflow/json", timeout=60) as answer:  # noqa: S310
        files = json.load(answer)["releases"].get(version, [])
    if not files:
        raise CheckFailed(f"PyPI lists no files for apache-airflow {version}")
    from datetime import datetime, timedelta

    released = min(datetime.fromisoformat(f["upload_time_iso_8601"].replace("Z", "+00:00")) for f in files)
    return (released + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # the release itself, and its day


def newest_patch(minor: str) -> str:
    output = run([sys.executable, "-m", "pip", "index", "versions", "apache-airflow"]).output
    listed = re.search(r"Available versions:\s*(.+)", output)
    versions = [v.strip() for v in listed.group(1).split(",")] if listed else []
    patches = [v for v in versions if re.fullmatch(rf"{re.escape(minor)}\.\d+", v)]
    if not patches:
        raise CheckFailed(f"no apache-airflow {minor}.x release found by `pip index versions`")
    return max(patches, key=lambda v: int(v.rsplit(".", 1)[1]))


# ---- building and checking the distributions ----

def package_version() -> str:
    tree = ast.parse((ROOT / PACKAGE / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return str(ast.literal_eval(node.value))
    raise CheckFailed(f"{PACKAGE}/__init__.py defines no __version__")


def tracked_package_files() -> set[str]:
    listed = run(["git", "ls-files", PACKAGE], cwd=ROOT).output.split()
    return {name for name in listed if "__pycache__" not in name}


def build() -> tuple[Path, Path]:
    shutil.rmtree(DIST, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "build", "--outdir", DIST, ROOT], WORK / "build.log")
    # Building the sdist may leave the egg-info in the checkout, where Airflow would find the provider twice.
    shutil.rmtree(ROOT / f"{PACKAGE}.egg-info", ignore_errors=True)
    (wheel,) = DIST.glob("*.whl")
    (sdist,) = DIST.glob("*.tar.gz")
    return wheel, sdist


def check_distributions(wheel: Path, sdist: Path) -> None:
    run([sys.executable, "-m", "twine", "check", "--strict", wheel, sdist], WORK / "twine.log")
    version = package_version()
    with zipfile.ZipFile(wheel) as archive:
        wheel_files = set(archive.namelist())
        dist_info = f"{PACKAGE}-{version}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{dist_info}/METADATA"))
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
    with tarfile.open(sdist) as archive:
        prefix = f"{PACKAGE}-{version}/"
        sdist_files = {name.removeprefix(prefix) for name in archive.getnames()}
    problems = []
    expected = {
        "Name": "airflow-provider-social",
        "Version": version,
        "License-Expression": "Apache-2.0",
        "License-File": "LICENSE",
        "Requires-Python": tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"],
    }
    for field, value in expected.items():
        if metadata.get(field) != value:
            problems.append(f"wheel METADATA {field} is {metadata.get(field)!r}, expected {value!r}")
    extras = set(metadata.get_all("Provides-Extra") or ())
    if not {"postgres", "redis"} <= extras:
        problems.append(f"wheel METADATA lacks the postgres/redis extras (has {sorted(extras)})")
    if "apache_airflow_provider" not in entry_points:
        problems.append("wheel lacks the apache_airflow_provider entry point")
    for name, files, extra in (
        ("wheel", wheel_files, {f"{dist_info}/licenses/LICENSE", f"{PACKAGE}/py.typed"}),
        ("sdist", sdist_files, {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "PKG-INFO",
                                f"{PACKAGE}/py.typed"}),
    ):
        missing = sorted((tracked_package_files() | extra) - files)
        if missing:
            problems.append(f"{name} lacks {len(missing)} file(s): {', '.join(missing[:10])}")
    if problems:
        raise CheckFailed("\n".join(problems))


# ---- the matrix ----

@dataclass(frozen=True)
class Combination:
    python_version: str
    python: str
    airflow: str
    # Airflow is installed as its docs say, with the dependency versions of its release (what its constraints file
    # and its images pin): pip --uploaded-prior-to the release. Unpinned, Airflow 3.2.2 fails to start its tasks
    # (pydantic 2.14 refuses its TITerminalStatePayload model).
    released: str

    @property
    def name(self) -> str:
        return f"py{self.python_version}-airflow{self.airflow}"


def new_virtualenv(python: str, path: Path, log_file: Path) -> tuple[Path, float]:
    shutil.rmtree(path, ignore_errors=True)
    created = run([python, "-m", "venv", path], log_file)
    upgraded = run([path / "bin" / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip"], log_file)
    return path / "bin" / "python", created.cpu + upgraded.cpu


def smoke(combination: Combination, wheel: Path) -> str:
    place = WORK / combination.name
    shutil.rmtree(place, ignore_errors=True)
    place.mkdir(parents=True)
    started = time.monotonic()
    python, cpu = new_virtualenv(combination.python, place / "venv", place / "venv.log")
    cpu += run([python, "-m", "pip", "install", "--quiet", "--uploaded-prior-to", combination.released,
                f"{wheel}[postgres,redis]", f"apache-airflow=={combination.airflow}"], place / "install.log").cpu
    installed = f"install {time.monotonic() - started:.0f}s ({cpu:.0f}s CPU)"
    started = time.monotonic()
    # From a directory outside the checkout: the package must come from the wheel.
    smoked = run([python, ROOT / "scripts" / "smoke_installed.py", "--dags-folder", ROOT / "dags_examples",
                  "--home", place / "airflow_home", *SMOKE_DAGS.values()], place / "smoke.log", cwd=place)
    return (f"{combination.name}: {installed}, smoke {time.monotonic() - started:.0f}s ({smoked.cpu:.0f}s CPU)\n"
            + smoked.output.rstrip())


def fast_tier(python_version: str, python: str, airflow: str, markers: str, wheel: Path) -> str:
    place = WORK / f"dev-py{python_version}"
    place.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    venv_python, cpu = new_virtualenv(python, place / "venv", place / "venv.log")
    # The wheel with its dev extra, not an editable install: an editable install writes
    # airflow_provider_social.egg-info into the checkout, and with the checkout on sys.path Airflow then finds the
    # provider's plugin twice ("already registered"), here and in the `make test` running beside this in the same
    # checkout. The tests import the package from the checkout (it comes first on sys.path); it is the same code.
    cpu += run([venv_python, "-m", "pip", "install", "--quiet", f"apache-airflow=={airflow}", f"{wheel}[dev]"],
               place / "install.log").cpu
    installed = f"install {time.monotonic() - started:.0f}s ({cpu:.0f}s CPU)"
    started = time.monotonic()
    # Beside `make test` in the same checkout: token locks of their own (everything else is per-test already).
    tested = run([venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", markers], place / "pytest.log",
                 cwd=ROOT, timeout=3600, env={"SOCIAL_TOKEN_LOCK_DIR": str(place / "locks")})
    summary = tested.output.strip().splitlines()[-1] if tested.output.strip() else ""
    return (f"fast tier on Python {python_version} (Airflow {airflow}): {installed}, "
            f"tests {time.monotonic() - started:.0f}s ({tested.cpu:.0f}s CPU): {summary}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--airflow-pinned", required=True, help="the Airflow version development and CI pin")
    parser.add_argument("--fast-tier", metavar="MARKERS", help="also run `pytest -m MARKERS` on each Python")
    parser.add_argument("--jobs", type=int, default=2, help="combinations at a time")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this combination "
                        "(e.g. py3.10-airflow3.2.2, or dev-py3.13 for a fast tier); repeatable")
    args = parser.parse_args()
    total = time.monotonic()
    pythons = {version: find_python(version) for version in PYTHONS}
    try:
        started = time.monotonic()
        wheel, sdist = build()
        check_distributions(wheel, sdist)
        log(f"built and checked {wheel.name} and {sdist.name} ({time.monotonic() - started:.0f}s)")
        lowest = newest_patch(lowest_airflow_minor())
        airflows = sorted({lowest, args.airflow_pinned}, key=lambda v: [int(n) for n in v.split(".")])
        released = {a: release_time(a) for a in airflows}
        combinations = [Combination(v, pythons[v], a, released[a]) for v in PYTHONS for a in airflows
                        if not args.only or f"py{v}-airflow{a}" in args.only]
        log(f"matrix: Python {' and '.join(PYTHONS)} x Airflow {' and '.join(airflows)}, {args.jobs} at a time")
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            jobs = [pool.submit(smoke, c, wheel) for c in combinations]
            if args.fast_tier:
                jobs += [pool.submit(fast_tier, v, pythons[v], args.airflow_pinned, args.fast_tier, wheel)
                         for v in PYTHONS if not args.only or f"dev-py{v}" in args.only]
            failures = []
            for job in jobs:
                try:
                    log(job.result())
                except CheckFailed as error:
                    failures.append(str(error))
        for failure in failures:
            log(f"FAILED {failure}")
        if failures:
            return 1
    except CheckFailed as error:
        log(f"FAILED {error}")
        return 1
    log(f"every check passed ({time.monotonic() - total:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
