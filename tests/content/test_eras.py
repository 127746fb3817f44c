"""site.yaml's `eras`: the bands of the timeline chart, checked like every setting."""

from __future__ import annotations

import pytest

from lecun_site.content.config import load_config
from lecun_site.errors import BuildFailed
from lecun_site.records import Era, Localized


def config_with(tmp_path, eras: str):
    (tmp_path / "site.yaml").write_text(f"title: T\neras: {eras}\n", encoding="utf-8")
    return load_config(tmp_path)


def test_eras_are_read_in_order(tmp_path):
    config = config_with(tmp_path, "[{from: 1960, to: 1987.5, name: {zh: 法国, en: France}}, "
                                   "{from: 1988, name: After}]")
    assert config.eras == (Era(1960, 1987.5, Localized(zh="法国", en="France")), Era(1988, None, Localized.same("After")))


def test_no_eras_by_default(tmp_path):
    (tmp_path / "site.yaml").write_text("title: T\n", encoding="utf-8")
    assert load_config(tmp_path).eras == ()


@pytest.mark.parametrize("eras", [
    "{from: 1960}",                                                  # not a list
    "[{from: 1960, to: 1950, name: X}]",                             # ends before it starts
    "[{from: 1960, to: 1970, name: X}, {from: 1965, name: Y}]",      # overlaps
    "[{from: 1960, name: X}, {from: 1970, name: Y}]",                # an open era before another
    "[{from: 1960, to: 1970}]",                                      # no name
    "[{from: '1960', to: 1970, name: X}]",                           # not a number
    "[{from: 1960, to: 1970, name: X, colour: red}]",                # unknown key
])
def test_bad_eras_are_reported_with_their_line(tmp_path, eras):
    with pytest.raises(BuildFailed) as caught:
        config_with(tmp_path, eras)
    [problem] = caught.value.problems
    assert problem.line == 2 and "`eras` must be a list" in problem.message
