"""`spdesk sandbox`: serves until stopped, prints how to connect, fails fast on bad input."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from spdesk_sandbox import cli
from spdesk_sandbox.defaults import SANDBOX_CLIENT_ID, SANDBOX_REFRESH_TOKEN

ROOT = Path(__file__).resolve().parents[2]


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(argv)


def test_arguments_become_settings(tmp_path: Path) -> None:
    args = _parse(
        "--port",
        "0",
        "--speed",
        "50",
        "--rate-scale",
        "2",
        "--bulk-orders",
        "10",
        "--state-dir",
        str(tmp_path),
        "--request-models",
        str(tmp_path),
    )
    settings = cli.settings_from_args(args)
    assert (settings.port, settings.speed, settings.rate_scale, settings.bulk_orders) == (
        0,
        50.0,
        2.0,
        10,
    )
    assert settings.state_dir == tmp_path
    assert settings.request_models_dir == tmp_path


def test_a_models_directory_without_models_fails_fast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(_parse("--port", "0", "--request-models", str(tmp_path))) == 2
    assert f"no SP-API model files (*.json) in {tmp_path}" in capsys.readouterr().err


def test_bad_seed_file_fails_fast_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"orders": [{"label": "x"}]}', encoding="utf-8")
    assert cli.run(_parse("--port", "0", "--seed", str(seed))) == 2
    err = capsys.readouterr().err
    assert str(seed) in err and "orders.0" in err


def test_negative_speed_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parse("--speed", "-1")
    assert "must be a positive number" in capsys.readouterr().err


def test_serves_until_terminated(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "companion", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # blocks until the server is listening
        assert re.match(r"Amazon SP-API sandbox listening on http://127\.0\.0\.1:\d+$", first)
        rest = [process.stdout.readline() for _ in range(9)]
        text = "".join(rest)
        assert SANDBOX_CLIENT_ID in text and SANDBOX_REFRESH_TOKEN in text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
