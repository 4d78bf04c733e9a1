"""Real failing disks for start-up tests: a small tmpfs that fills up, a read-only mount.

Mounting needs root (the test machines and CI run as root); elsewhere a read-only folder is made
with chmod and the full-disk tests are skipped.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, timeout=30)


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True, timeout=30)


@contextmanager
def small_disk(path: Path, size_kib: int = 512) -> Iterator[Path]:
    """A tmpfs of ``size_kib`` mounted on ``path`` (created), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


def fill(folder: Path) -> None:
    """Write into ``folder`` until its disk is full."""
    with (folder / "filler").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """``path`` (a folder) made read-only: a read-only bind mount as root, else mode 0500."""
    if os.geteuid() != 0:
        path.chmod(0o500)
        try:
            yield path
        finally:
            path.chmod(0o700)
        return
    _mount("--bind", str(path), str(path))
    try:
        _mount("-o", "remount,bind,ro", str(path))
        yield path
    finally:
        _umount(path)
