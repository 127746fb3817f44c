"""content/textfile.py's reader of simple front matter (`key: value` lines) gives exactly what
PyYAML gives, lines included, or gives up and leaves the document to PyYAML."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from benchmarks import gen_corpus
from lecun_site.content.textfile import LineDict, LineList, _load_yaml, _simple_mapping, parse_yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def shape(value):
    """A value with the lines LineDict and LineList remember, for comparing whole."""
    if isinstance(value, LineDict):
        return ("map", value.line, [(k, value.lines[k], shape(v)) for k, v in value.items()])
    if isinstance(value, LineList):
        return ("list", value.line, list(value.lines), [shape(v) for v in value])
    return (type(value).__name__, value)


def same_as_yaml(text: str, first_line: int = 1) -> bool:
    """Whether the simple reader took `text` (else None); when it did, asserts PyYAML agrees."""
    simple = _simple_mapping(text, first_line)
    if simple is None:
        return False
    assert shape(simple) == shape(_load_yaml("x.md", text, first_line)), text
    return True


def front_matters() -> list[str]:
    """The front matter of every markdown file of the project's sites and fixtures."""
    found = []
    for folder in ("content", "tests/sites", "tests/fixtures", "src/lecun_site/starter"):
        for path in sorted((ROOT / folder).rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
            match = re.match(r"---\n(.*?\n)---\n", text, re.S)
            if match:
                found.append(match[1])
    return found


def test_the_projects_own_front_matter_reads_the_same(tmp_path: Path) -> None:
    texts = front_matters()
    corpus = gen_corpus.generate(30, tmp_path / "corpus", seed=5)
    for path in sorted((corpus / "notes").glob("*.md")):
        texts.append(re.match(r"---\n(.*?\n)---\n", path.read_text(encoding="utf-8"), re.S)[1])
    taken = sum(same_as_yaml(text, first_line=2) for text in texts)
    assert len(texts) > 100
    assert taken >= 60  # the benchmark corpus's notes at least are simple


@pytest.mark.parametrize("text", [
    'title: "A"\ndate: 2024-01-02\ntags: [a, b-c, d.e]\n',
    'title: "中文标题：（第 1 篇）"\nempty: []\nslug: my-note\npeople: [Laurent, "玛丽·洛朗"]\n',
    'a: "#not a comment"\nb: "x: y"\n',
])
def test_simple_documents_are_read_by_the_simple_reader(text: str) -> None:
    assert same_as_yaml(text)


@pytest.mark.parametrize("text", [
    "draft: true\n", "draft: yes\n", "flag: On\n", "x: null\n", "x: ~\n", "x: 12\n", "x: 1.5\n",
    "n: n\n", "y: word\n", 'a: "x"\na: "y"\n',  # a duplicate key: PyYAML's error
    'a: "tab\there"\n', 'a: "back\\\\slash"\n', "a: word # comment\n", "# comment\na: b\n",
    "a: b\n\nc: d\n", "a:  two-spaces\n", "a: [x,y]\n", "a: [yes, no]\n", "a:\n  - x\n",
    "people: [a, b]\ndate: 2024-1-2\n", 'title: "a" \n', "key-with-dash: x\n", "a: .inf\n",
])
def test_anything_else_is_left_to_yaml(text: str) -> None:
    assert _simple_mapping(text, 1) is None


def test_errors_still_come_from_yaml_with_their_line() -> None:
    from lecun_site.errors import ContentError

    with pytest.raises(ContentError) as raised:
        parse_yaml("note.md", 'title: "a"\ntitle: "b"\n', first_line=2)
    assert raised.value.line == 3 and "duplicate key" in str(raised.value)


def test_random_lines_agree_with_yaml() -> None:
    """Lines made of the pieces the simple reader knows, and of pieces near them."""
    rng = random.Random(19)
    keys = ["title", "date", "tags", "y", "On", "slug", "_x", "a1", "title"]
    values = ['"plain"', '"中文，标点"', '"with \\"quote"', '"a\\tb"', "2024-02-30", "2024-2-3", "word",
              "yes", "No", "NULL", "null-ish", "v1.0", "e1", "[a, b]", "[]", "[a,b]", "[ a ]", "[on, x]",
              "'single'", '["中文名", x]', '["a, b", c]', '["a]"]', '[""]', '["yes"]', '"\u2028"', '"\x85"', "x # c", "", "|", "&a x", "*a", '"#"', "[x-y, z.w]"]
    taken = 0
    for _ in range(3000):
        lines = [f"{rng.choice(keys)}: {rng.choice(values)}".rstrip(" ") if rng.random() > 0.03 else ""
                 for _ in range(rng.randint(1, 5))]
        text = "\n".join(lines) + "\n" * rng.randint(0, 2)
        try:
            _load_yaml("x.md", text, 1)
        except Exception:
            assert _simple_mapping(text, 1) is None, text  # what PyYAML refuses the simple reader never takes
            continue
        taken += same_as_yaml(text, first_line=rng.randint(1, 9))
    assert taken > 200
