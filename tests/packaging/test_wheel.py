"""The wheel: built from a clean copy, with every data file of its three packages in it."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

from tests.packaging.conftest import BUILD_WHEEL, REPO


def source_files(folder: Path, built: Path) -> set[str]:
    """The package's files under ``folder`` as wheel paths, without caches.

    Only files older than the wheel ``built``: the tree may gain files while the session runs.
    """
    since = built.stat().st_mtime
    return {
        p.relative_to(REPO).as_posix()
        for p in folder.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix != ".pyc"
        and p.stat().st_mtime <= since
    }


def test_wheel_holds_seed_demo_pages_and_the_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        declared = archive.read(entry_points).decode()
    assert "spdesk = companion.cli:main" in declared
    assert "sandbox = spdesk_sandbox.command" in declared
    assert "demo = spdesk_demo.command" in declared
    assert "spdesk_sandbox/seed.json" in names
    demo = source_files(REPO / "spdesk_demo", wheel)
    assert any(not name.endswith(".py") for name in demo)  # the pages' own files, not only code
    assert demo <= names
    for package in ("companion", "spdesk_sandbox"):
        assert source_files(REPO / package, wheel) <= names
    assert not any("__pycache__" in name or name.startswith(("tests/", "bench/")) for name in names)


def test_a_data_file_the_wheel_would_lose_stops_the_build(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy2(REPO / "pyproject.toml", source)
    shutil.copy2(REPO / "README.md", source)
    for package in ("companion", "spdesk_sandbox", "spdesk_demo"):
        shutil.copytree(
            REPO / package,
            source / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    (source / "spdesk_sandbox" / "faults.yaml").write_text("latency: 0\n")
    done = subprocess.run(
        [str(BUILD_WHEEL), "--out", str(tmp_path / "out"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "the wheel lacks spdesk_sandbox/faults.yaml" in done.stderr
    assert "package-data" in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
