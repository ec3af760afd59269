"""Config errors a person can act on, and config files from any common editor load."""

from __future__ import annotations

import codecs

import pytest

from newsradar.config import KNOWN_SECTIONS, ConfigError, load
from tests.helpers import run_cli

GOOD = """[[sources]]
name = "bj"
kind = "beijing_gov"
start_urls = ["https://www.beijing.gov.cn/ywdt/yaowen/"]
every = "10m"
"""
GENERIC = """[[sources]]
name = "pbc"
kind = "generic"
start_urls = ["https://www.pbc.gov.cn/"]
[sources.selectors]
list_item = "ul.news li"
article_body = "#zoom"
"""


def _error(tmp_path, text: str) -> ConfigError:
    path = tmp_path / "invalid.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(path)
    return err.value


def test_invalid_toml_names_line_and_column(tmp_path):
    err = _error(tmp_path, "a = 1\n\n[crawl]\ndelay = = 2\n")
    assert str(err).startswith(f"{tmp_path / 'invalid.toml'}, line 4, column 9: not valid TOML: ")
    assert "-:" not in str(err) and "(at line" not in str(err)


def test_missing_file_says_so_plainly(tmp_path):
    out = run_cli("--config", str(tmp_path / "nope.toml"), "status")
    assert out.returncode == 2
    assert f"{tmp_path / 'nope.toml'}: file not found" in out.stderr
    assert ": -:" not in out.stderr and "newsradar init" in out.stderr


def test_every_needs_a_unit(tmp_path):
    err = _error(tmp_path, GOOD.replace('every = "10m"', "every = 10"))
    assert err.key == "sources[0] (bj).every"
    assert "needs a unit" in err.problem and "'10m'" in err.problem and "'30s'" in err.problem


@pytest.mark.parametrize(
    "key,query,kind",
    [("list_item", "ul..news li[", "CSS"), ("article_body", "//div[@id='zoom'", "XPath")],
)
def test_broken_selectors_fail_at_load_naming_the_key(tmp_path, key, query, kind):
    text = GENERIC.replace(f'{key} = "ul.news li"', f'{key} = "{query}"').replace(
        f'{key} = "#zoom"', f'{key} = "{query}"'
    )
    err = _error(tmp_path, text)
    assert err.key == f"sources[0] (pbc).selectors.{key}"
    assert err.problem.startswith(f"not a valid {kind} selector: ")


def test_scrapy_pseudo_elements_are_valid_selectors(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(GENERIC.replace('article_body = "#zoom"', 'article_body = "#zoom"\ntitle = "a::attr(title)"\n'
                                    'date = "span::text"\nlink = "./a/@href"'), encoding="utf-8")  # fmt: skip
    assert load(path).sources[0].selectors["title"] == "a::attr(title)"


@pytest.mark.parametrize(
    "text,words",
    [
        ('[crawl]\ndelay = "fast"\n', 'must be a number of seconds such as 1.5, not "fast"'),
        ("[crawl]\nretries = 1.5\n", "must be a whole number such as 3, not 1.5"),
        ('[crawl]\nobey_robots = "yes"\n', 'must be true or false, not "yes"'),
        ("[crawl]\nuser_agent = 5\n", "must be text in quotes, not 5"),
    ],
)
def test_type_errors_in_human_words(tmp_path, text, words):
    err = _error(tmp_path, text)
    assert err.problem == words
    assert "float" not in str(err) and "'str'" not in str(err)


def test_unknown_section_offers_only_what_this_version_accepts(tmp_path):
    err = _error(tmp_path, "[bogus]\n")
    offered = err.problem.split("expected one of: ")[1].rstrip(")").split(", ")
    assert set(offered) == set(KNOWN_SECTIONS)
    for name in offered:  # each one offered is then accepted
        path = tmp_path / f"{name}.toml"
        path.write_text(f"[[{name}]]\n" if name in ("sources", "topics") else f"[{name}]\n", encoding="utf-8")
        try:
            load(path)
        except ConfigError as exc:
            assert "not supported" not in exc.problem and "unknown section" not in exc.problem, exc


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("utf-16"),  # with its BOM, as Windows Notepad writes "Unicode"
        lambda t: t.encode("utf-16-be").join([codecs.BOM_UTF16_BE, b""]),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: t.replace("\n", "\r").encode("utf-8"),  # classic Mac line endings
    ],
)
def test_configs_from_other_editors_load(tmp_path, encode):
    path = tmp_path / "newsradar.toml"
    path.write_bytes(encode(GOOD.replace('"bj"', '"北京-yaowen"'.replace("北京-", "bj-"))))
    [source] = load(path).sources
    assert (source.name, source.every) == ("bj-yaowen", 600)


def test_non_utf8_file_says_how_to_fix(tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes(GOOD.replace("bj", "北京").encode("gbk"))
    with pytest.raises(ConfigError) as err:
        load(path)
    assert "UTF-8" in err.value.problem


@pytest.mark.parametrize(
    "url,hint",
    [
        ("mysql://x/y", "not supported"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://"),
        ("oracle+cx_oracle://u@h/db", "not supported"),
    ],
)
def test_database_url_without_a_driver_is_a_config_error(tmp_path, url, hint):
    err = _error(tmp_path, f'[database]\nurl = "{url}"\n')
    assert err.key == "database.url"
    assert hint in err.problem
    out = run_cli("status", config=tmp_path / "invalid.toml")
    assert out.returncode == 2 and "Traceback" not in out.stderr and "ModuleNotFoundError" not in out.stderr
