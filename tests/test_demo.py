"""`make demo` (deploy/demo.sh): the README's offline walk-through runs to the end.

It broke once without a test noticing: a relative database path in its config was resolved
against the config's own folder. Run as a user runs it, in a subprocess, with a stale site list
left by an earlier run (which the script once read before the new server wrote its own).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_end_to_end_offline(tmp_path):
    work = tmp_path / "demo-run"
    work.mkdir()
    (work / "sites.json").write_text('{"stale": "http://127.0.0.1:9"}\n', encoding="utf-8")
    env = {
        **os.environ,
        "NEWSRADAR_DEMO_DIR": str(work),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("NEWSRADAR_CONFIG", None)
    out = subprocess.run(
        ["bash", str(ROOT / "deploy" / "demo.sh")], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "dispatch: sent 3 alerts in 1 message" in out.stdout, out.stdout[-3000:]
    assert "dispatch: sent 0 alerts in 0 messages" in out.stdout
    assert (work / "newsradar.db").exists()  # in the folder asked for, not a folder inside it
    assert "sources:" in out.stdout and "FAILING" in out.stdout  # the dead source is reported
