"""deploy/: the compose file, the Dockerfile and the systemd units call only commands and options the
real CLI accepts; volumes are declared; no secret is written in them; the example production config
loads with the real loader. (No Docker engine here: the images are never built or run.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from newsradar.cli import build_parser
from newsradar.config import load
from notifiers import notifier_settings
from web import web_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
NEWSRADAR_SERVICES = [name for name, s in SERVICES.items() if s.get("image", "").startswith("newsradar")]
SECRET_WORDS = re.compile(r"PASSWORD|TOKEN|SECRET|KEY", re.I)


def _commands() -> set[str]:
    return set(build_parser()._subparsers._group_actions[0].choices)


def _command(argv: list[str]) -> str | None:
    """The subcommand of a command line, past the global options (--config PATH, -v)."""
    rest = iter(argv)
    for arg in rest:
        if arg == "--config":
            next(rest, None)
        elif not arg.startswith("-"):
            return arg
    return None


def _check_cli(argv: list[str], where: str) -> None:
    """Parse argv with the real parser; `node` (issue 19, not landed yet) skips with a reason."""
    if _command(argv) == "node" and "node" not in _commands():
        pytest.skip(f"{where}: `newsradar node` lands later with issue 19; its command line is checked then")
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        pytest.fail(f"{where}: the CLI refuses `newsradar {shlex.join(argv)}` (exit {exc.code})")
    assert getattr(args, "func", None), f"{where}: `newsradar {shlex.join(argv)}` names no command"


def test_services_images_and_volumes():
    assert {"db", "daemon", "node1", "node2"} <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("postgres:15")
    assert set(NEWSRADAR_SERVICES) == {"daemon", "node1", "node2"}
    assert SERVICES["daemon"]["command"] == ["run"] and "8080:8080" in SERVICES["daemon"]["ports"]
    declared = set(COMPOSE["volumes"])
    used = set()
    for name, service in SERVICES.items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if not source.startswith((".", "/")):
                used.add(source)
            else:
                assert (DEPLOY / source).exists(), f"{name}: bind mount {source} is not in deploy/"
    assert used == declared and "pgdata" in used
    assert any(m.startswith("pgdata:/var/lib/postgresql/data") for m in SERVICES["db"]["volumes"])


@pytest.mark.parametrize("service", ["daemon", "node1", "node2"])
def test_compose_commands_are_real_cli_commands(service):
    _check_cli(list(SERVICES[service]["command"]), f"compose.yaml service {service}")


@pytest.mark.parametrize("unit", ["newsradar.service", "newsradar-node.service"])
def test_systemd_units_run_real_cli_commands(unit):
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    exec_start = re.search(r"^ExecStart=(.+)$", text, re.M).group(1)
    argv = shlex.split(exec_start)
    assert argv[0].endswith("/newsradar")
    _check_cli(argv[1:], unit)


def test_no_secret_is_written_in_the_compose_file():
    for name, service in SERVICES.items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_WORDS.search(key):
                assert re.fullmatch(r"\$\{[A-Z_]+(:?[?-][^}]*)?\}", str(value)), f"{name}.{key} holds a value"
        env_file = service.get("env_file")
        if env_file:
            assert not (DEPLOY / env_file).exists() or "newsradar.env" in (DEPLOY / ".gitignore").read_text()
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert not re.search(r"(PASSWORD|TOKEN|SECRET)\w*[:=]\s*[\"']?(?!\$\{)\w", text), "a literal secret"
    assert not re.search(r"postgres(ql)?(\+\w+)?://[^@/\s]+:[^@/\s]+@", text), "a password in a URL"


def test_dockerfile_non_root_cjk_font_no_browser():
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM (python:3\.11-slim-bookworm|debian:bookworm)", text, re.M)
    assert "fonts-wqy-microhei" in text and "chromium" not in text.lower().replace("no browser", "")
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r'^ENTRYPOINT \["newsradar"\]', text, re.M)
    pyproject = (DEPLOY.parent / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.findall(r'"(\w+)\*"', re.search(r"^include = \[(.+)\]$", pyproject, re.M).group(1))
    assert packages and all(f"COPY {p} ./{p}" in text for p in packages), "a package is not copied"


def test_production_config_loads(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "pg-secret-from-env")
    monkeypatch.setenv("NEWSRADAR_SMTP_PASSWORD", "smtp-secret-from-env")
    monkeypatch.setenv("NEWSRADAR_SECRET_KEY", "signing-key-from-env")
    cfg = load(DEPLOY / "production.toml")
    assert cfg.database_url.startswith("postgresql+psycopg://newsradar@db")
    assert (
        "secret"
        not in (DEPLOY / "production.toml").read_text(encoding="utf-8").split("[database]")[1].split("[")[0]
    )
    web = web_settings(cfg)
    assert web.host == "0.0.0.0" and f"{web.port}:{web.port}" in SERVICES["daemon"]["ports"]
    assert notifier_settings(cfg).email.smtp_host == "smtp.example.com"
    assert cfg.sources, "the example config has sources to crawl"
    # the daemon hands its rounds to the compose file's nodes, at the port each listens on
    nodes = {
        f"http://{name}:{SERVICES[name]['command'][-1]}" for name in NEWSRADAR_SERVICES if name != "daemon"
    }
    assert set(cfg.crawl.nodes) == nodes
