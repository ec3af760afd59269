"""`newsradar run` as a real subprocess, with its output collected for the test to read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


class RunningDaemon:
    def __init__(
        self, config: Path, *args: str, env: dict | None = None, prefix: list[str] | None = None
    ) -> None:
        """prefix: run under another command (`ip netns exec NS`, another host's network)."""
        full_env = {**os.environ, **(env or {})}
        full_env.pop("NEWSRADAR_CONFIG", None)
        self.proc = subprocess.Popen(
            [*(prefix or []), sys.executable, "-m", "newsradar", "--config", str(config), "run", *args],
            cwd=config.parent, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: list[tuple[float, str]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def wait_for(self, text: str, timeout: float) -> float:
        """Monotonic time the first line containing `text` appeared."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for when, line in list(self.lines):
                if text in line:
                    return when
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.1)
        raise AssertionError(f"no {text!r} within {timeout}s; output:\n{self.output[-4000:]}")

    def terminate(self, timeout: float = 15) -> float:
        """SIGTERM; returns the seconds it took to exit."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout)
        self._reader.join(5)
        return time.monotonic() - started

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


def wait_until(check, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout}s")
