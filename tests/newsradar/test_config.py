"""Config validation: every error names the file, the key and the problem; nothing starts."""

from __future__ import annotations

import pytest

from common import parse_duration
from newsradar.config import ConfigError, load
from tests.helpers import run_cli

GOOD = """
[[sources]]
name = "bj"
kind = "beijing_gov"
start_urls = ["https://www.beijing.gov.cn/ywdt/yaowen/"]
every = "10m"
max_pages = 3
"""


def write(tmp_path, text):
    path = tmp_path / "newsradar.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_and_defaults(tmp_path):
    cfg = load(write(tmp_path, GOOD))
    [s] = cfg.sources
    assert (s.name, s.kind, s.every, s.max_pages, s.tier) == ("bj", "beijing_gov", 600, 3, 0)
    assert cfg.database_url == f"sqlite:///{tmp_path / 'newsradar.db'}"
    assert cfg.crawl.obey_robots is True


@pytest.mark.parametrize(
    "text,key,problem",
    [
        ("[database]\nurl = 5\n", "database.url", "non-empty string"),
        ("[bogus]\n", "bogus", "unknown section"),
        (GOOD.replace('kind = "beijing_gov"', 'kind = "rss"'), "sources[0] (bj).kind", "must be one of"),
        (GOOD.replace("max_pages = 3", "max_pages = 0"), "sources[0] (bj).max_pages", ">= 1"),
        (GOOD.replace('every = "10m"', 'every = "soon"'), "sources[0] (bj).every", "not a duration"),
        (GOOD.replace('start_urls = ["https://www.beijing.gov.cn/ywdt/yaowen/"]', 'start_urls = ["ftp://x"]'),
         "sources[0] (bj).start_urls", "http(s) URL"),
        (GOOD + GOOD, "sources[1] (bj).name", "duplicate source name"),
        (GOOD.replace("max_pages = 3", "max_page = 3"), "sources[0] (bj).max_page", "unknown key"),
        (GOOD.replace('kind = "beijing_gov"', 'kind = "generic"'), "sources[0] (bj).selectors.list_item", "required"),
        ("[crawl]\ndelay = \"fast\"\n", "crawl.delay", "a number of seconds such as 1.5"),
        ("[[sources]\n", None, "not valid TOML"),
    ],
)  # fmt: skip
def test_errors_name_file_key_and_problem(tmp_path, text, key, problem):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load(path)
    assert err.value.key == key
    assert problem in err.value.problem
    assert str(path) in str(err.value)


def test_cli_reports_bad_config_and_exits_2(tmp_path):
    path = write(tmp_path, GOOD.replace("max_pages = 3", "max_pages = -1"))
    out = run_cli("articles", "list", config=path)
    assert out.returncode == 2
    assert f"{path}: sources[0] (bj).max_pages: must be a whole number >= 1" in out.stderr
    assert not (tmp_path / "newsradar.db").exists()


def test_missing_config_file_is_an_error(tmp_path):
    out = run_cli("--config", str(tmp_path / "nope.toml"), "articles", "list")
    assert out.returncode == 2 and "file not found" in out.stderr


def test_bad_database_exits_3(tmp_path):
    path = write(tmp_path, '[database]\nurl = "sqlite:////nonexistent-dir/x.db"\n')
    out = run_cli("articles", "list", config=path)
    assert out.returncode == 3 and "does not exist" in out.stderr


def test_init_writes_starter_config_and_database(tmp_path):
    path = tmp_path / "newsradar.toml"
    out = run_cli("--config", str(path), "init")
    assert out.returncode == 0, out.stderr
    # the starter's guessed sources are off: say so, or `run` watching 10 of 12 looks like a bug
    assert "12 sources configured (2 disabled until set up: tongzhou-news, tongzhou-zhengce" in out.stdout
    cfg = load(path)
    assert {s.name for s in cfg.sources} == {
        "bj-yaowen",
        "bj-zhengce",
        "gov-zuixin",
        "pbc-news",
        "tongzhou-tzgg",
        "tongzhou-news",
        "tongzhou-zhengce",
        "eastmoney-cgnjj",
        "eastmoney-7x24",
        "eastmoney-col350",
        "finews-bjgov",
        "finews-feed",
    }
    fast = next(s for s in cfg.sources if s.name == "eastmoney-7x24")
    assert (fast.every, fast.options, fast.title) == (
        120,
        {"list": "fast", "fast_column": 102},
        "东方财富·7×24快讯",
    )
    column = next(s for s in cfg.sources if s.name == "eastmoney-col350")
    assert (column.options, column.title) == ({"list": "api", "column": 350}, "东方财富·财经要闻")
    web = cfg.sections["web"]  # `run` serves the archive out of the box
    assert (web.host, web.port, web.public_url) == ("127.0.0.1", 8080, "http://127.0.0.1:8080")
    assert (tmp_path / "newsradar.db").exists()
    again = run_cli("--config", str(path), "init")
    assert "keeping it" in again.stdout


def test_starter_config_sources_load_as_documented(tmp_path):
    from importlib.resources import files

    path = tmp_path / "newsradar.toml"
    path.write_text(files("newsradar").joinpath("starter.toml").read_text(encoding="utf-8"), encoding="utf-8")
    sources = {s.name: s for s in load(path).sources}
    pbc = sources["pbc-news"]  # the kind alone: no selectors, the central bank's tier
    assert (pbc.kind, pbc.selectors, pbc.options, pbc.every, pbc.tier) == ("pbc", {}, {}, 600, 0)
    assert pbc.title == "中国人民银行 新闻发布" and pbc.enabled
    assert pbc.title_en == "People's Bank of China: news"  # the archive's English pages
    assert list(pbc.start_urls) == ["https://www.pbc.gov.cn/goutongjiaoliu/113456/113469/index.html"]
    tz = {n: s for n, s in sources.items() if n.startswith("tongzhou-")}
    assert {(n, s.kind, s.tier, s.every, s.enabled) for n, s in tz.items()} == {
        ("tongzhou-tzgg", "generic", 0, 600, True),
        ("tongzhou-news", "generic", 0, 600, False),  # list URL unknown: off until a user sets it
        ("tongzhou-zhengce", "generic", 0, 600, False),
    }
    assert all(s.start_urls[0].startswith("https://www.bjtzh.gov.cn/bjtz/") for s in tz.values())
    assert all({"list_item", "article_body"} <= set(s.selectors) for s in tz.values())


@pytest.mark.parametrize(
    "text,seconds",
    [("500ms", 0.5), ("30s", 30), ("1.5m", 90), ("10m", 600), ("2h", 7200), ("1d", 86400), (45, 45)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "10", "-5s", "5 min", True, -1])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("value", [10, 0.5])
def test_a_bare_number_needs_a_unit_where_one_is_required(value):
    with pytest.raises(ValueError, match="needs a unit.*accepted: '500ms', '30s'"):
        parse_duration(value, unit_required=True)


def test_source_interval_takes_every_unit_the_other_sections_take(tmp_path):
    """One parser: `every` accepts what [alerts] accepts (it used to refuse 'ms')."""
    path = tmp_path / "newsradar.toml"
    path.write_text(GOOD.replace('every = "10m"', 'every = "1500ms"'), encoding="utf-8")
    assert load(path).sources[0].every == 1
