"""markdown_rs.py, the Rust fast path: where it takes a body it must give exactly what
markdown-it-py gives (the same HTML pieces and slots), and it must take the ordinary ones."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, TESTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import gen_corpus
from lecun_site.content.frontmatter import split_front_matter
from lecun_site.render import markdown, markdown_rs

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

# symbols (Unicode's S* categories: punctuation to markdown-it-py beside an emphasis marker, not to
# markdown-it-pyrs), CJK and fullwidth punctuation, spaces other than ASCII's
SYMBOLS = ["£", "¥", "°", "🎉", "€", "©", "×", "±", "→", "～", "™", "£5", "°C"]
CJK = ["中文", "杨立昆", "例子", "，", "。", "、", "：", "；", "（", "）", "「", "」", "《", "》", "！", "？", "…"]
SPACES = ["\u3000", "\xa0", "\u2003", "\u2028", "\x85", "\ufeff", "\u200b"]
WORD = st.sampled_from(["text", "LeCun", "GPU", "C++", "1989", "a", "b", "é", "x_y", "3.5", "—", "“q”",
                        "a&b", "&amp;", "&#91;", "&copy;", "&nbsp;", "\"", "'", "50%", "~", "#", "=", "+", "->"]
                       + SYMBOLS + CJK + SPACES)
URL = st.sampled_from(["https://example.org/a?b=1&c=2", "http://x.y", "HTTPS://X.Y", "relative/page", "#frag",
                       "javascript:alert(1)", "data:text/html,x", "mailto:a@b.c", "<https://a.b>",
                       "https://例子.中国/路径", "//例子.中国", "mailto:x@例子.中国", "例子.中国", "o:@", "http://a@",
                       "https://example.org/路径", "&nbsp;x", "x&#12;"])
INLINE_PIECE = st.one_of(
    WORD,
    st.sampled_from([" ", " ", "  \n", "\n", "*", "**", "_", "__", "~~", "`", "\\", "\\*", "\\[", "[", "]", "(", ")",
                     "!", "|", ":", ",", "，"]),
    st.builds(lambda w, t: f"[{w}](@/{t})", WORD, st.sampled_from(["people/ada", "topics/cnn", "notes/n-1#sec",
                                                                    "timeline#ev-1", "transcripts/t#turn-3", "x y",
                                                                    "中", "a(b)c", "p?q=1&r=2"])),
    st.builds(lambda w, u: f"[{w}]({u})", WORD, URL),
    st.builds(lambda w: f'[{w}](https://e.org "the {w}")', WORD),
    st.builds(lambda w, u, t: f"[{w}]({u} {t})", WORD, URL,
              st.sampled_from(['"a\nb"', "'a\n  b'", "(a\r\nb)", '""', "''", '"中文\n文"'])),
    st.builds(lambda d, w, x: f"{x}{d}{w}{d}{x}", st.sampled_from(["*", "**", "_", "__", "~~", "~~~~"]), WORD, WORD),
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
    st.builds(lambda u, a: f"[ref]: {u}\n\n[{a}][ref]", URL, INLINE),
    st.builds(lambda a, b: f"> {a}\n{b}", INLINE, st.sampled_from(["2. x", "1. x", "- x", " `y`", "| h |\n|---|",
                                                                   "\tz", "lazy", ">\t`z`"])),
    st.builds(lambda s, a: s + a, st.sampled_from(SPACES), INLINE),
    st.sampled_from(["---", "***", "<div>raw</div>", "<script>alert(1)</script>", "a <b>bold</b>", "\x00", "\t- tab",
                     "> " * 9 + "deep", "- " * 9 + "deep", " " * 16 + "- far", "\\[@src]", "\ue000"]),
)
# blank lines between blocks, and the line ends markdown-it-py reads as "\n"
DOCUMENT = st.builds(lambda blocks, end: (end * 2).join(block.replace("\n", end) for block in blocks),
                     st.lists(BLOCK, min_size=1, max_size=6), st.sampled_from(["\n", "\n", "\r\n", "\r"]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_generated_documents_render_as_markdown_it_py_renders_them(document):
    agrees(document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list("[]()@/*_`\\!<>#-|:, \n中ab") + ["[@", "](@/", "\n\n", "  \n", "&amp;"]),
                max_size=40).map("".join))
def test_punctuation_soup_renders_as_markdown_it_py_renders_it(document):
    agrees(document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list("[]()*_~`\\!>#-|:.1 \t\n\"'a中") + SYMBOLS + CJK + SPACES
                                + ["\r\n", "\r", "\n\n", "](", "]:", "~~", "**", "> ", "2. ", "http://例子.中国"]),
                max_size=40).map("".join))
def test_symbol_and_cjk_soup_renders_as_markdown_it_py_renders_it(document):
    agrees(document)


# ------------------------------------------------------------------ what it takes, what it leaves

ORDINARY = [
    "## Early years [@film, turn-3]\n\nHe met [Ada](@/people/ada) in 1985 [@src].\n\n- one [x](@/topics/cnn)\n- two",
    "中文段落，引用[@lab-podcast， 第 3 段]。\n\n> 引文 [@src]\n\n| a | b |\n|---|---|\n| [c](@/notes/n) | d |",
    "Setext title\n===\n\n1. first\n2. [second](https://example.org \"t\")\n\n```\ncode\n```",
    "Entities &amp; and `code` in a heading\n\n### A `b` *c* [d](@/x) e",
    "**重要**：他说“*好*”。\n\n- 第一项，[链接](@/notes/n)\n- 10\xa0km 与 3×3 [@src， 第 3 段]",
    "Prices in £ and ¥ stay fast *apart* from markers: £5, ¥300, 20°C, 🎉.\r\n\r\nCRLF line ends too.",
    "[例子](https://example.org/路径) and [中文](@/people/中文) and [mail](mailto:a@b.org)",
    "> 引文：*强调*。\n>\n> — 杨立昆\n\n1. 一\n2. 二",
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
    "heading attributes": "## Title {#custom-id}",
    "heading attributes, a class": "Title {.big}\n===",
    "a more comment": "Summary.\n\n<!--more-->\n\nRest.",
    "an image (the site's figure, markdown._render_image)": "Text ![e](f.png) and\n\n![alone](g.jpg)",
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
    # markdown-it-py follows CommonMark 0.31: a symbol beside a marker counts as punctuation
    "a currency sign in emphasis": "*£5*",
    "a degree sign after strong emphasis": "**°C**x",
    "an emoji in emphasis": "_🎉_",
    "a symbol in emphasis inside a word": "x*€*y",
    "a symbol in strikethrough": "a ~~€~~b",
    "a symbol beside emphasis in Chinese": "价格*¥*元",
    "U+0085 beside emphasis": "*\x85a*",
    "an ideographic space starting a paragraph": "\u3000\u3000段落",
    "a no-break space ending a line": "段落\xa0\n下一行",
    "a Unicode space beside a marker": "*\u2003a*",
    "an internationalised host": "[例子](https://例子.中国/路径)",
    "an internationalised host in a reference": "[a]: //例子.中国\n\n[a]",
    "an internationalised host in an image": "![a](https://例子.中国/x.png)",
    "an inline link that fails before a reference": "[a]: /u\n\n[x](y ][a]",
    "an inline link that fails at a paragraph's end": "[a](\n- [a]: /u",
    "an empty list item in a quote": ">>a\n>-",
    "an authority that loses its @": "[a](o:@)",
    "a destination that is a space once decoded": "[a](&nbsp;)",
    "a link title over lines": '[a](/u "line1\nline2")',
    "a reference title over lines": "[a]: /u 'l1\n  l2'\n\n[a]",
    "an empty link title": '[a](/u "")',
    "four tildes": "x~~~~y~~",
    "a reference destination ending in a backslash": "[a]: x\\\n\n[a]",
    "an empty reference title with more on its line": '[a]: h\n"")',
    "an ordered item after a quote": "> a\n2. b",
    "an ordered item holding a quote after a quote": "> a\n2) >",
    "a code span that looks like a fence, then an unclosed fence": "```a```\n```\nx",
    "a code span over an indented line in a quote": "> `a\n b`",
    "a table right after a quote": "> a\n| x |\n|---|",
    "emphasis a pairing elsewhere leaves unpaired": "_* a*_*a*",
    "a code span after a bracket": "[` `.` ``",
    "an escaped marker": "Escapes \\* and &amp;",
    "deep quotes after a CR line end": "x\r" + "> " * 25 + "deep",
    "an unclosed fence after a CR line end": "x\r```\rcode",
}


# what is no longer a citation: a Jekyll or Obsidian mention `[@x](url)` is a link on both paths
MENTIONS = ["[@src](https://e.org)", "by [@yann](https://x.com/ylecun) and [@src]", "*[@a](/u)*, [@b, 3]"]


@pytest.mark.parametrize("text", MENTIONS)
def test_mentions_are_links_on_both_paths(text):
    assert agrees(text)
    assert '<a href="' in markdown_rs.compile_rs(text)[0][0]


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


# ------------------------------------------------------------------ CommonMark's spec examples

SPEC = json.loads((TESTS / "fixtures" / "commonmark" / "spec-0.31.2-examples.json").read_text(encoding="utf-8"))
_MARKERS = re.compile(r"[*_~]+")


def beside_markers(text: str, char: str) -> str:
    """`char` inserted before each run of `*`, `_` or `~` that follows a character other than a
    space, and after each that a character other than a space follows: where it decides
    whether the run opens or closes emphasis."""
    def insert(match):
        before = match.start() > 0 and not text[match.start() - 1].isspace()
        after = match.end() < len(text) and not text[match.end()].isspace()
        return (char if before else "") + match[0] + (char if after else "")

    return _MARKERS.sub(insert, text)


VARIANTS = {
    "as written": lambda text: text,
    "CRLF": lambda text: text.replace("\n", "\r\n"),
    "CR": lambda text: text.replace("\n", "\r"),
    "中 beside markers": lambda text: beside_markers(text, "中"),
    "中文 around links": lambda text: text.replace("[", "中文[").replace(")", ")中文"),
    "中文 starting and ending lines": lambda text: "中文" + text.replace("\n", "中文\n"),
    "fullwidth punctuation": lambda text: text.translate(str.maketrans("!?,.:;", "！？，。：；")),
    "， beside markers": lambda text: beside_markers(text, "，"),
    **{f"{symbol} beside markers": (lambda symbol: lambda text: beside_markers(text, symbol))(symbol)
       for symbol in ["£", "¥", "°", "🎉", "€"]},
}


def render_env() -> markdown.RenderEnv:
    return markdown.RenderEnv(link=lambda target, line: f"/to/{target}?line={line}",
                              cite=lambda source, at: (1, f"cite-{source}"))


def rendered(text: str, monkeypatch, fast: bool) -> tuple:
    """What markdown.py renders of `text` (its public function: the body compiled, with no
    memory of other bodies, and the page's slots filled), with the fast path or without it."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(markdown, "compile_rs", lambda text: None)
        result = markdown.render_markdown(text, render_env())
    return result.html, result.headings


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_commonmark_spec_examples_render_the_same_with_and_without_the_fast_path(variant, monkeypatch):
    """Each of the spec's 652 examples, as written and varied (line ends, Chinese, symbols and
    fullwidth punctuation next to emphasis and links): markdown.py's HTML is the same bytes
    whether the fast path took the example or markdown-it-py did."""
    taken, differing = 0, []
    for example in SPEC:
        text = VARIANTS[variant](example["markdown"])
        taken += markdown_rs.compile_rs(text) is not None
        if rendered(text, monkeypatch, fast=True) != rendered(text, monkeypatch, fast=False):
            differing.append(f"example {example['example']} ({example['section']}): {text!r}")
    assert not differing, f"{len(differing)} render apart, e.g. " + "; ".join(differing[:5])
    if variant == "as written":  # the fast path still takes most of them (407 of 652)
        assert taken >= 380, taken


REVIEWED = ["*£5*", "**°C**x", "_🎉_", "x*€*y", "例子.中国", "https://例子.中国/路径", "[例子](https://例子.中国/路径)",
            '[a](/u "line1\nline2")', "[a](/u 'l1\n  l2')", "\u3000\u3000段落。", "x~~~~y~~"]


@pytest.mark.parametrize("paragraph", REVIEWED)
def test_a_paragraph_renders_the_same_whether_or_not_a_less_than_sign_is_elsewhere(paragraph, monkeypatch):
    """A `<` anywhere sends a body to markdown-it-py: the paragraph must not change with it."""
    alone, _ = rendered(paragraph, monkeypatch, fast=True)
    with_less_than, _ = rendered(paragraph + "\n\n1 < 2", monkeypatch, fast=True)
    assert with_less_than == alone + "<p>1 &lt; 2</p>\n"
    assert alone == rendered(paragraph, monkeypatch, fast=False)[0]


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
