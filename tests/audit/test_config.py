from pathlib import Path

import pytest

from audit.config import load_config
from audit.errors import InputError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "configs"


def test_every_config_problem_is_reported_at_once_with_file_line_col():
    with pytest.raises(InputError) as err:
        load_config(FIXTURES / "broken.yaml")
    lines = str(err.value).splitlines()
    name = str(FIXTURES / "broken.yaml")
    assert lines == [
        f"{name}:6:5: unknown key 'max_pagse' in touchpoint 'site' (did you mean 'max_pages'?)",
        f"{name}:8:11: 'kind' in touchpoint 'help' must be one of website, helpcenter, email; "
        "got the text 'zendesk'",
        f"{name}:9:5: touchpoint 'mail' has kind 'email' but no 'paths'",
        f"{name}:11:16: 'max_depth' in touchpoint 'mail' must be a whole number; got the text 'x'",
        f"{name}:13:13: 'max_size' in 'crawl' in the config must be a size such as 5MB, 512KB or 1000000",
    ]


def test_missing_touchpoints_and_yaml_syntax_errors_name_the_place(tmp_path):
    cfg = tmp_path / "touchaudit.yaml"
    cfg.write_text("store: a.db\n")
    missing = r"touchaudit.yaml:1:1: the config is missing the required key 'touchpoints'"
    with pytest.raises(InputError, match=missing):
        load_config(cfg)
    cfg.write_text("touchpoints:\n  - name: [a\n")
    with pytest.raises(InputError, match=r"touchaudit.yaml:\d+:\d+: YAML syntax error"):
        load_config(cfg)


def test_a_valid_config_is_typed_and_paths_are_relative_to_it(tmp_path):
    cfg = tmp_path / "touchaudit.yaml"
    cfg.write_text(
        "touchpoints:\n"
        "  - {name: site, kind: website, start_urls: 'http://127.0.0.1:1/'}\n"
        "  - {name: mail, kind: email, paths: ['emails/*.html']}\n"
        "crawl: {max_size: 2MB}\n"
    )
    config = load_config(cfg)
    assert [t.name for t in config.touchpoints] == ["site", "mail"]
    assert config.touchpoint("site").start_urls == ["http://127.0.0.1:1/"]
    assert config.touchpoint("site").max_pages == 5000
    assert config.store == tmp_path / "touchaudit.db"
    assert config.max_size_bytes == 2_000_000


def test_yaml_tags_that_would_build_objects_are_refused(tmp_path):
    cfg = tmp_path / "touchaudit.yaml"
    cfg.write_text("store: !!python/object/apply:os.system ['echo hi']\ntouchpoints: []\n")
    with pytest.raises(InputError, match="YAML tag .* is not allowed"):
        load_config(cfg)


def test_extract_selectors_are_checked_where_they_are_written(tmp_path):
    cfg = tmp_path / "touchaudit.yaml"
    cfg.write_text(
        "touchpoints:\n"
        "  - name: site\n"
        "    kind: website\n"
        "    start_urls: [https://acme.example/]\n"
        "    extract:\n"
        "      main: article.content\n"
        "      exclude:\n"
        "        - .testimonials\n"
        "        - 'div[[nop'\n"
        "      sidebar: [.x]\n"
    )
    with pytest.raises(InputError) as err:
        load_config(cfg)
    lines = str(err.value).splitlines()
    assert lines[0].startswith(f"{cfg}:9:11: 'exclude' in 'extract' in touchpoint 'site': 'div[[nop' "
                               "is not a valid CSS selector")
    assert lines[1] == (f"{cfg}:10:7: unknown key 'sidebar' in 'extract' in touchpoint 'site'; "
                        "expected one of main, nav, footer, exclude")
    ok = cfg.read_text().replace("        - 'div[[nop'\n", "").replace("      sidebar: [.x]\n", "")
    cfg.write_text(ok)
    assert load_config(cfg).touchpoints[0].extract == {"main": ["article.content"], "nav": None,
                                                       "footer": None, "exclude": [".testimonials"]}


def test_config_values_are_checked_with_their_place(tmp_path):
    (tmp_path / "touchaudit.yaml").write_text(
        "ignore: rules/ignore.yaml\n"
        "crawl:\n"
        "  concurrency: 0\n"
        "  max_size: 0\n"
        "  timeout: 0\n"
        "  retries: -1\n"
        "touchpoints:\n"
        "  - name: site\n"
        "    kind: website\n"
        "    start_urls: [www.acme.example, \"https://ok.example/\"]\n"
        "    max_pages: 0\n"
        "    max_per_pattern: 0\n")
    with pytest.raises(InputError) as err:
        load_config(tmp_path / "touchaudit.yaml")
    lines = [str(p).split(":", 1)[1] for p in err.value.problems]
    assert lines == [
        "1:9: 'ignore' names 'rules/ignore.yaml', which does not exist "
        f"(looked for {tmp_path.resolve() / 'rules' / 'ignore.yaml'})",
        "3:16: 'concurrency' in 'crawl' in the config must be at least 1",
        "4:13: 'max_size' in 'crawl' in the config must be more than 0 bytes",
        "5:12: 'timeout' in 'crawl' in the config must be more than 0",
        "6:12: 'retries' in 'crawl' in the config must be at least 0",
        "10:18: 'start_urls' in touchpoint 'site': 'www.acme.example' must be an absolute http(s) URL "
        "such as https://www.acme.example/",
        "11:16: 'max_pages' in touchpoint 'site' must be at least 1",
        "12:22: 'max_per_pattern' in touchpoint 'site' must be at least 1",
    ]
