"""markdown_rs.py, the Rust fast path: where it takes a body it must give exactly what
markdown-it-py gives (the same HTML pieces and slots), and it must take the ordinary ones."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from benchmarks import gen_corpus
from lecun_site import markdown, markdown_rs
from lecun_site.loader import split_front_matter

pytestmark = pytest.mark.skipif(markdown_rs.markdown_it_pyrs is None, reason="markdown-it-pyrs is not installed")


def both(text: str):
    """(fast, slow): the fast path's (pieces, slots) or None, and markdown-it-py's."""
    slow = markdown._compile_py(text, False, False)
    return markdown_rs.compile_rs(text), (slow.pieces, slow.slots)


def agrees(text: str) -> bool:
    """True when the fast path took `text` (and gave what markdown-it-py gives), False when it
    declined; a different result fails the test."""
    fast, slow = both(text)
    if fast is None:
        return False
    assert fast == slow, f"markdown_rs differs from markdown-it-py for {text!r}"
    return True


# ------------------------------------------------------------------ generated documents

WORD = st.sampled_from(["text", "中文", "杨立昆", "LeCun", "GPU", "C++", "1989", "a", "b", "é", "x_y", "3.5", "—", "“q”",
                        "a&b", "&amp;", "&#91;", "&copy;", "\"", "'", "50%", "~", "#", "=", "+", "->"])
INLINE_PIECE = st.one_of(
    WORD,
    st.sampled_from([" ", " ", "  \n", "\n", "*", "**", "_", "__", "~~", "`", "\\", "\\*", "\\[", "[", "]", "(", ")",
                     "!", "|", ":", ",", "，"]),
    st.builds(lambda w, t: f"[{w}](@/{t})", WORD, st.sampled_from(["people/ada", "topics/cnn", "notes/n-1#sec",
                                                                    "timeline#ev-1", "transcripts/t#turn-3", "x y",
                                                                    "中", "a(b)c", "p?q=1&r=2"])),
    st.builds(lambda w, u: f"[{w}]({u})", WORD, st.sampled_from(["https://example.org/a?b=1&c=2", "http://x.y",
                                                                 "HTTPS://X.Y", "relative/page", "#frag",
                                                                 "javascript:alert(1)", "data:text/html,x",
                                                                 "mailto:a@b.c", "<https://a.b>"])),
    st.builds(lambda w: f'[{w}](https://e.org "the {w}")', WORD),
    st.builds(lambda w: f"![{w}](@/img.png)", WORD),
    st.builds(lambda w: f"![{w} [@src]](pic.png)", WORD),
    st.builds(lambda s, a: f"[@{s}{a}]", st.sampled_from(["lab-podcast", "src", "a1", "doc_2", "-bad", "中"]),
              st.sampled_from(["", ", turn-3", "， 第 3 段", ", § Intro", ", p. 12", ",   turn-7  ", ", *x*", ", `c`",
                               ", a|b", ", [x", ", a & b", ", "])),
    st.builds(lambda w: f"`{w} [@src]`", WORD),
    st.builds(lambda w: f"**{w}**", WORD),
    st.builds(lambda w: f"*{w} [@src]*", WORD),
    st.builds(lambda w: f"[{w} [@src] more](@/people/ada)", WORD),
    st.builds(lambda w: f"[@src]({w})", WORD),
)
INLINE = st.lists(INLINE_PIECE, min_size=1, max_size=12).map("".join)
BLOCK = st.one_of(
    INLINE,
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 6), INLINE),
    st.builds(lambda t, u: f"{t}\n{u}", INLINE, st.sampled_from(["===", "---", "-", "==="])),
    st.builds(lambda items: "\n".join(f"- {i}" for i in items), st.lists(INLINE, min_size=1, max_size=4)),
    st.builds(lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1)), st.lists(INLINE, min_size=1, max_size=3)),
    st.builds(lambda a, b: f"- {a}\n  - {b}\n    - {a}", INLINE, INLINE),
    st.builds(lambda a, b: f"- {a}\n\n  {b}\n- {b}", INLINE, INLINE),
    st.builds(lambda a: f"-\n  {a}", INLINE),
    st.builds(lambda a, b: f"> {a}\n> > {b}\n>\n> {a}", INLINE, INLINE),
    st.builds(lambda a, b: f"| h | {a} |\n|:--|--:|\n| {b} | {a} |", INLINE, INLINE),
    st.builds(lambda a: f"```py\n{a}\n```", INLINE),
    st.builds(lambda a: f"    {a}", INLINE),
    st.builds(lambda a: f"[@src]: https://e.org\n\n{a}", INLINE),
    st.builds(lambda a: f"[ref]: @/people/ada\n\n[{a}][ref]", INLINE),
    st.sampled_from(["---", "***", "<div>raw</div>", "<script>alert(1)</script>", "a <b>bold</b>", "\x00", "\t- tab",
                     "> " * 9 + "deep", "- " * 9 + "deep", " " * 16 + "- far", "\\[@src]", "\ue000"]),
)
DOCUMENT = st.lists(BLOCK, min_size=1, max_size=6).map("\n\n".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_generated_documents_render_as_markdown_it_py_renders_them(document):
    agrees(document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list("[]()@/*_`\\!<>#-|:, \n中ab") + ["[@", "](@/", "\n\n", "  \n", "&amp;"]),
                max_size=40).map("".join))
def test_punctuation_soup_renders_as_markdown_it_py_renders_it(document):
    agrees(document)


# ------------------------------------------------------------------ what it takes, what it leaves

ORDINARY = [
    "## Early years [@film, turn-3]\n\nHe met [Ada](@/people/ada) in 1985 [@src].\n\n- one [x](@/topics/cnn)\n- two",
    "中文段落，引用[@lab-podcast， 第 3 段]。\n\n> 引文 [@src]\n\n| a | b |\n|---|---|\n| [c](@/notes/n) | d |",
    "Setext title\n===\n\n1. first\n2. [second](https://example.org \"t\")\n\n```\ncode\n```",
    "Escapes \\* and &amp; and `code` in a heading\n\n### A `b` *c* [d](@/x) ![e](f.png)",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_bodies_take_the_fast_path(text):
    assert agrees(text)


DECLINED = {
    "raw html": "a <b>bold</b>",
    "an autolink": "see <https://example.org>",
    "a citation in a code span": "`[@src]` and [@src]",
    "an escaped citation": "\\[@src] and [@src]",
    "a citation in an image description": "![a [@src]](p.png)",
    "a citation that is a link": "[@src](https://e.org)",
    "a citation that is a reference definition": "[@src]: https://e.org\n\n[@src]",
    "a pipe in a citation": "| a |\n|---|\n| [@src, a|b] |",
    "a backtick in a citation": "`x [@src, y` z]",
    "deep block quotes": "> " * 9 + "deep",
    "deep lists": "  " * 8 + "- deep",
    "a list item starting on the next line": "-\n  [x](@/people/ada)",
    "an empty heading": "## ![only an image](p.png)",
    "a line break in an image description": "![a  \nb](p.png)",
    "NUL": "a\x00b",
    "a placeholder character": "a\ue000b",
    "too long": "word " * 5000,
}


@pytest.mark.parametrize("what", sorted(DECLINED))
def test_what_could_differ_is_left_to_markdown_it_py(what):
    assert markdown_rs.compile_rs(DECLINED[what]) is None
    markdown._compile_py(DECLINED[what], False, False)  # and markdown-it-py takes it


def test_markdown_uses_the_fast_path_and_falls_back(monkeypatch):
    taken = []
    original = markdown_rs.compile_rs
    monkeypatch.setattr(markdown, "compile_rs", lambda text: taken.append(text) or original(text))
    fast = markdown._compile(ORDINARY[0], False, False)
    raw = markdown._compile("a <b>bold</b>", True, False)
    assert taken == [ORDINARY[0], "a <b>bold</b>"]
    assert fast == markdown._compile_py(ORDINARY[0], False, False)
    assert raw.pieces == ("<p>a <b>bold</b></p>\n",)  # the raw HTML option still holds: markdown-it-py's path


def test_a_panic_in_the_rust_parser_falls_back(monkeypatch):
    class Panicking:
        def render(self, text):
            raise BaseException("a Rust panic (pyo3_runtime.PanicException is a BaseException)")

    monkeypatch.setattr(markdown_rs, "_RS", Panicking())
    assert markdown_rs.compile_rs("plain") is None
    assert markdown._compile("plain", False, False).pieces == ("<p>plain</p>\n",)


# ------------------------------------------------------------------ real bodies


def _bodies_of(folder):
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        body = split_front_matter(str(path), text).body
        yield path, body
        for paragraph in body.split("\n\n"):  # transcript turns, bios: short texts compile alone
            yield path, paragraph


@pytest.mark.parametrize("where", ["content", "corpus"])
def test_real_bodies_render_as_markdown_it_py_renders_them(where, tmp_path):
    folder = ROOT / "content" if where == "content" else gen_corpus.generate(40, tmp_path / "c", seed=3)
    taken = total = 0
    for path, body in _bodies_of(folder):
        total += 1
        taken += agrees(body)
    assert total > 100
    assert taken >= 0.95 * total, f"the fast path took only {taken} of {total} bodies in {where}"
