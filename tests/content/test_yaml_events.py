"""content/textfile.py builds a YAML document from the parser's events in one pass
(`_built_from_events`), or says it is unusual and leaves it to PyYAML's loader. Whatever it
builds must be exactly what the loader gives, lines included."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pytest
import yaml
from test_simple_yaml import ROOT, front_matters, shape

from benchmarks import gen_corpus
from lecun_site.content import textfile
from lecun_site.content.textfile import _UNUSUAL, MAX_DEPTH, _built_from_events, parse_yaml
from lecun_site.errors import ContentError

pytestmark = pytest.mark.unit


def loaded(text: str, first_line: int = 1):
    """What PyYAML's loader (the one the site uses) makes of `text`."""
    loader = textfile._Loader(text)
    loader.line_offset = first_line - 1
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def agrees(text: str, first_line: int = 1) -> bool:
    """Whether `text` was built from events (else it is unusual); if so, asserts the loader agrees.
    What the loader refuses is never built."""
    try:
        expected = loaded(text, first_line)
    except Exception:  # noqa: BLE001 - any refusal
        assert _built_from_events(text, first_line) is _UNUSUAL, text
        return False
    built = _built_from_events(text, first_line)
    if built is _UNUSUAL:
        return False
    assert shape(built) == shape(expected), text
    return True


def yaml_documents(tmp_path: Path) -> list[str]:
    corpus = gen_corpus.generate(40, tmp_path / "corpus", seed=7)
    texts = []
    for folder in (ROOT / "content", ROOT / "tests/sites", ROOT / "tests/fixtures", ROOT / "src/lecun_site/starter",
                   corpus):
        for pattern in ("*.yaml", "*.yml"):
            for path in sorted(folder.rglob(pattern)):
                texts.append(path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n"))
    return texts + front_matters()


def test_every_yaml_document_of_the_projects_sites_builds_as_the_loader_loads_it(tmp_path):
    texts = yaml_documents(tmp_path)
    built = sum(agrees(text, first_line=2) for text in texts)
    assert len(texts) > 300
    assert built > 0.9 * len(texts)  # all but the hostile fixtures'


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",  # anchors and aliases: the loader checks for alias bombs and loops
    "a: !!binary aGk=\n", "a: !custom x\n", "a: !!str 12\n", "!!map {a: 1}\n",  # explicit tags
    "base: &b {x: 1}\nother:\n  <<: *b\n", "<<: {a: 1}\n",  # merge keys
    "a: 1\na: 2\n", "1: x\nTrue: y\n",  # repeated keys (1 and True are the same key)
    "? [a, b]\n: 1\n", "{[a]: 1}\n",  # a key that is a list
    "--- a\n--- b\n",  # two documents
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),  # deeper than the loader allows
    "a: [1, 2\n", "a: b: c\n", "- a\nb: c\n", "a: 99" + "9" * 5000 + "\n",  # errors
])
def test_unusual_documents_are_left_to_the_loader(text):
    assert _built_from_events(text, 1) is _UNUSUAL


@pytest.mark.parametrize("text, message", [
    ("a: 1\na: 2\n", "duplicate key 'a' (first on line 1)"),
    ("a: [1, 2\n", "while parsing a flow sequence"),
    ("a: !!binary aGk=\n", "!!binary"),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested more than"),
])
def test_what_is_left_to_the_loader_is_reported_as_before(text, message):
    with pytest.raises(ContentError) as raised:
        parse_yaml("x.yaml", text)
    assert message in str(raised.value)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "--- x\n", "- a\n- [b, {c: d}]\n", "x\n",
                                  "a:\nb: ~\nc: yes\nd: 0o17\ne: 0x1f\nf: 1_000\ng: .5\nh: 1e3\ni: 2024-01-02\n"
                                  "j: 2024-01-02 10:00:00\nk: '1'\nl: \"\"\nm: -.inf\nn: 0b101\no: 1:30\n"])
def test_small_and_odd_documents_agree(text):
    assert agrees(text)


SCALARS = [0, 7, -3, 1_000_000, 1.5, -0.25, 1e30, float("inf"), True, False, None, "", "plain", "yes", "No", "on",
           "null", "~", "12", "1.0", "0o17", "0x1F", "1_000", "1:30", "2024-01-02", "2024-1-2", "玛丽·洛朗",
           "卷积神经网络", "a: b", "#hash", "- dash", "[x]", "{y}", "'quoted'", '"double"', "tab\there",
           "line\nbreak", " lead", "trail ", "\u3000全角", "@/people/x", "<<", "=", "*star", "&amp",
           datetime.date(2019, 5, 1)]


def random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth < 4 and roll < 0.25:
        return {rng.choice(["title", "date", "zh", "en", "people", "1", "yes", "k" + str(rng.randint(0, 9))]):
                random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    if depth < 4 and roll < 0.45:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return rng.choice(SCALARS)


def test_random_documents_agree_with_the_loader():
    """Documents dumped by PyYAML in block and flow styles, at widths that fold long text."""
    rng = random.Random(30)
    built = 0
    for _ in range(1500):
        value = random_value(rng)
        text = yaml.safe_dump(value, allow_unicode=rng.random() < 0.7, default_flow_style=rng.choice([False, True, None]),
                              width=rng.choice([20, 80, 1000]), sort_keys=False)
        built += agrees(text, first_line=rng.randint(1, 5))
    assert built > 1200
