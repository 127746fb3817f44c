"""The fast path of markdown.py: the same compiled body from markdown-it-pyrs, or None.

markdown-it-pyrs is the Rust port of markdown-it. markdown-it-py costs 0.6-0.8 ms a note body,
about a third of a cold build; this path about half as much, its checks included (0.28 against
0.58 ms a body of the benchmark corpus, on one machine). It has no Python plugins, so it
cannot run our two inline rules (citations, plain `@/` links), and no nesting limit (deep
input that markdown-it-py keeps as text is parsed; some, far deeper than any note, crashes
it). So it takes only bodies it can render as markdown.py's markdown-it-py setup does, and
checks each:

- It declines, before parsing, what could differ or harm: raw HTML, autolinks and anything
  else with `<` (the HTML policy lives in markdown.py's renderer, and so do `<!--more-->` and
  `html: sanitize`), a line ending in `{#id}` / `{.class}` (heading attributes, markdown.py's), NUL and the placeholder
  characters below, deep nesting (8 container markers on a line, 16 columns of indentation),
  a list item whose text starts on the next line (or that is empty, in a quote or list too),
  an image description with an entity, an escape or a line break (markdown-it-pyrs leaves
  those out of `alt`), and bodies over 20,000 characters. Line ends are made "\n" first, as
  markdown-it-py makes them.
- ... and where the two parsers are known to read the same text apart (found by comparing them
  on CommonMark's spec examples, varied with CRLF, Chinese, symbols and fullwidth punctuation,
  and on generated text; tests/test_markdown_rs.py): a non-ASCII character beside `*`, `_` or
  `~` that is not a letter, digit, space or old punctuation (`*£5*`, `**°C**x`, `_🎉_`:
  markdown-it-py follows CommonMark 0.31, where symbols are punctuation); a Unicode space
  (U+3000, U+00A0, …) at a line's start or end or beside ASCII punctuation (markdown-it-py
  trims it as JavaScript does); a run of three tildes or more outside a fence line; in a text
  with a reference definition, a line ending in a backslash or an empty title (`""`, `''`,
  `()`); in a text with a block quote, an ordered list item in the lines after the quote, or
  a code span and a line that starts indented; a table right after a line of text.
- ... and, after rendering, where the output shows it: a link or image URL with a scheme or
  `//` before anything but a plain ASCII authority (markdown-it-py writes an
  internationalised host in punycode: `https://例子.中国`), or that is a space at either end
  once decoded; an empty link title, or one over lines; a `*`, a backtick, `~~` or a `_`
  outside a word left as text outside code (markdown-it-pyrs pairs emphasis and code spans
  apart in some paragraphs, and leaves such a marker unpaired where it does); in a text with
  a reference definition, a `](` left as text or a `(` right after a link.
- Every `[@source, at]` the citation rule would match is replaced by a placeholder
  `[\ue000N\ue001]` before rendering: the same brackets, so emphasis and links around it parse
  as they do around the citation, and markdown-it-py's citation rule comes before every rule
  that could read those characters otherwise. Where another construct takes them first (a
  code span or block, an escaped bracket, a link destination, title or image description, a
  reference definition, a table cell boundary) the placeholder ends up in code, in a tag or
  nowhere, and it declines. A backslash before `[@`, and a backtick or `|` inside a citation,
  decline at once.
- It renders with `data-sourcepos` on every element and reads what depends on the page while
  taking those attributes out again: heading ids (the title is the heading's text without
  tags, citations or line breaks, as markdown.py takes it), `@/` hrefs with the line
  markdown-it-py gives a link (the first line of its paragraph, heading, list item or table
  row), citations, and `rel="noopener"` on http(s) links.

tests/test_markdown_rs.py compares it with markdown-it-py on CommonMark's spec examples and
their variants, on generated documents, on the benchmark corpus and on content/. Without the
package everything goes to markdown-it-py.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache
from urllib.parse import unquote

from ..content.body import _CITATION_RE

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - the package is a dependency; markdown-it-py still works
    markdown_it_pyrs = None

MARK = "\x00"  # slot marker, as markdown.py's (NUL: markdown-it replaces it in every input)
MAX_CHARS = 20_000
_DECLINE = re.compile(r"[<\x00\ue000\ue001\ue0fe]|\{[ \t]*[#.][\w:-]+[^{}\n]*\}[ \t]*$|^[ \t]{16}|^(?:[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t])){8}"
                      r"|^(?:[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t]))*[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]*$"
                      r"|!\[[^\]\n]*[&\\\n]", re.M)
# Unicode spaces: markdown-it-py trims them off a paragraph, heading, cell or link destination
# (as JavaScript's trim does), markdown-it-pyrs does not; U+0085 is a space to markdown-it-pyrs
# only, beside an emphasis marker.
_SPACES = "\x0b\x0c\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# a Unicode space next to anything but a letter, digit or other non-ASCII character (the start
# or end of a line, ASCII spaces, markdown's punctuation): where the two could read it apart
_LOOSE_SPACE = re.compile(rf"(?:\A|(?<=[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f{_SPACES}]))[{_SPACES}]"
                          rf"|[{_SPACES}](?=[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f{_SPACES}]|\Z)")
_ANY_SPACE = re.compile(f"[{_SPACES}]")
# a non-ASCII character next to an emphasis or strikethrough marker: whether the marker opens or
# closes depends on whether that character is punctuation, which the two decide apart (below).
# Left out, as _same_class would pass them: CJK ideographs, kana, hangul syllables, Latin
# letters, and the common Chinese punctuation (all P*, in the old blocks)
_PLAIN = ("\x00-\x7f\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u3400-\u4db5\u4e00-\u9fef\uac00-\ud7a3"
          "\u3041-\u3096\u30a1-\u30fa，。：；！？（）、「」『』《》【】“”‘’—…")
_NEAR_DELIMITER = re.compile(f"[^{_PLAIN}](?=[*_~])|(?<=[*_~])[^{_PLAIN}]")
# punctuation both call punctuation: the general punctuation, CJK and fullwidth forms blocks,
# whose characters are older than either parser's Unicode tables
_OLD_PUNCTUATION = ((0xA1, 0xBF), (0x2010, 0x2027), (0x2030, 0x205E), (0x3001, 0x303F), (0xFE10, 0xFE19),
                    (0xFE30, 0xFE6B), (0xFF01, 0xFF65))
# a run of three tildes or more that is not a code fence's: markdown-it-pyrs pairs `~~~~`
# strikethrough runs apart from markdown-it-py (`x~~~~y~~`)
_TILDE_RUN = re.compile(r"[^ \t\n~][ \t]*~{3,}|^(?: {4,}|[ ]{0,3}\t)[ \t]*~{3,}", re.M)
# a line ending in a backslash, where a reference definition could take it as its destination
# (`[a]: x\`): markdown-it-pyrs does not. (And an empty title, `""`, `''` or `()`, with more on
# its line: markdown-it-py drops the whole definition, markdown-it-pyrs only the title.)
_END_BACKSLASH = re.compile(r"\\[ \t]*$", re.M)
# a block quote (see _quoted_apart)
_QUOTE = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*>", re.M)
_ORDERED_ITEM = re.compile(r"[ \t]*\d{1,9}[.)](?:[ \t]|$)")
_INDENTED_LINE = re.compile(r"^[ \t]|>[ ]*\t", re.M)
_RS = (markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough", "sourcepos"])
       if markdown_it_pyrs else None)
# what _fill reads: elements whose line a link takes (and headings), links, code, placeholders
_SLOTS = re.compile(r'<(p|li|td|th|h[1-6]) data-sourcepos="(\d+):[^"]*"|<a data-sourcepos="[^"]*" href="([^"]*)"([^>]*)>'
                    r"|<(/?)code\b|(</a>)|\[\ue000(\d+)\ue001\]")
_SOURCEPOS = re.compile(r' data-sourcepos="[^"]*"')
_STRIP_TITLE = re.compile(r"<[^>]*>|\[\ue000\d+\ue001\]|\n")

_NEWLINES = re.compile(r"\r\n?")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})(.*)$", re.M)
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_DELIMITER_ROW = re.compile(r"^[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*$")
# where the two renderers write the same tree apart (found by tests/test_markdown_rs.py)
_RENDERED_APART = [("<blockquote>\n</blockquote>", "<blockquote></blockquote>")]
# text the output still shows of markdown's inline markers, outside code: a `*`, a backtick, `~~`,
# or a `_` not inside a word. Where markdown-it-pyrs pairs emphasis or code spans apart from
# markdown-it-py, it leaves such a marker unpaired (it keeps bounds of failed searches that a
# pairing elsewhere in the paragraph makes stale, and a cache of backtick runs that a bracket
# before them fills wrongly). Notes seldom show one (none in content/ or the benchmark corpus).
_MAYBE_LEFT = re.compile(r"[*`_]|~~")
_CODE_OR_TAG = re.compile(r"<code\b[^>]*>.*?</code>|<[^>]*>", re.S)
_ALT = re.compile(r'<img [^>]*?alt="([^"]*)"')
_LEFT_MARKER = re.compile(r"[*`]|~~|(?<![^\W_])_|_(?![^\W_])")
_IMAGE_URL = re.compile(r'<img [^>]*?src="([^"]*)"')
_TITLE = re.compile(r' title="([^"\n]*)(\n?)')
# the start of a URL as markdown-it-py (mdurl) reads it: a scheme, `//`, and the authority it
# rewrites (user, host, port; the host in punycode). Outside these plain ASCII hosts the two
# write it apart (`https://例子.中国` punycode against percent-encoding, `o:@` without the `@`)
_SCHEME = re.compile(r"[A-Za-z0-9.+-]+:")
_AUTHORITY = re.compile(r"(?:[A-Za-z0-9._-]+@)?(?:[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*)?(?::[0-9]*)?")


class _Declined(Exception):
    pass


@lru_cache(maxsize=4096)
def _same_class(char: str) -> bool:
    """Whether both parsers class `char` alike (letter, punctuation or space) beside `*`, `_`
    or `~`. markdown-it-py follows CommonMark 0.31, where symbols (£ ¥ ° © × ～ 🎉 …, Unicode's
    S* categories) count as punctuation; markdown-it-pyrs counts only P*, the two know
    punctuation of different Unicode versions, and U+0085 is a space only to markdown-it-pyrs.
    So: letters, marks and numbers, spaces (Zs), format and private-use characters, and
    punctuation of the old blocks."""
    category = unicodedata.category(char)
    if category[0] in "LMN" or category in ("Zs", "Cf", "Co"):
        return True
    code = ord(char)
    return category[0] == "P" and any(low <= code <= high for low, high in _OLD_PUNCTUATION)


def _plain_blocks(text: str) -> bool:
    """Whether every code fence is closed and outside lists and quotes, and every table is
    plain: after a blank line, each row between pipes, as many cells as the delimiter row, no
    escaped pipe or code span in it. The two parsers end an unclosed fence and read looser
    tables differently."""
    if "```" in text or "~~~" in text:
        open_fence = None
        for line in text.split("\n"):
            if "```" not in line and "~~~" not in line:
                continue
            match = _FENCE.match(line)
            if match is None:
                if line.lstrip(" \t>*+-0123456789.)").startswith(("```", "~~~")):
                    return False  # a fence in a list item or a quote
                continue  # backticks or tildes in text
            fence, rest = match.groups()
            if open_fence is None:
                if fence[0] == "`" and "`" in rest:
                    continue  # not a fence: a code span (a backtick fence's info has no backtick)
                open_fence = fence
            elif fence[0] == open_fence[0] and len(fence) >= len(open_fence) and not rest.strip():
                open_fence = None
        if open_fence is not None:
            return False
    if "|" in text or ":-" in text or "-:" in text:
        lines = text.split("\n")
        for number, line in enumerate(lines):
            if "-" not in line or line.strip(" \t|:-"):
                continue  # not a delimiter row
            if "|" not in line and ":" not in line and (number == 0 or "|" not in lines[number - 1]):
                continue  # a rule or a heading's underline, with no table in sight
            if number == 0 or not _DELIMITER_ROW.match(line) or not _TABLE_ROW.match(lines[number - 1]):
                return False
            if number > 1 and lines[number - 2].strip():
                return False  # right after a line of text (a quote's: markdown-it-py goes on with its paragraph)
            rows = [lines[number - 1], line]
            for following in lines[number + 1:]:
                if not following.strip():
                    break
                if not _TABLE_ROW.match(following):
                    return False  # a row not between pipes, or text right after the table
                rows.append(following)
            cells = line.strip().count("|")
            if any("\\|" in row or "`" in row or row.strip().count("|") != cells for row in rows):
                return False
    return True


def _quoted_apart(text: str) -> bool:
    """Whether the two read a text with a block quote apart: where an ordered list item starts
    in the lines after a quote, markdown-it-py ends the quote, markdown-it-pyrs (as CommonMark
    says for a list not starting at 1) goes on with its paragraph; and in a code span over
    lines they keep different spaces of a line that starts with a space or tab, or has a tab
    after `>`."""
    if "`" in text and _INDENTED_LINE.search(text):
        return True
    in_quote = False
    for line in text.split("\n"):
        if not line.strip():
            in_quote = False
        elif in_quote and _ORDERED_ITEM.match(line):
            return True
        elif _QUOTE.match(line):
            in_quote = True
    return False


def compile_rs(text: str) -> tuple[tuple[str, ...], tuple[tuple, ...]] | None:
    """(pieces, slots) as markdown._compile makes them, or None to leave `text` to markdown-it-py."""
    if "\r" in text:  # line ends as markdown-it-py makes them first, for the line rules below
        text = _NEWLINES.sub("\n", text)
    if _RS is None or len(text) > MAX_CHARS or _DECLINE.search(text) or not _plain_blocks(text):
        return None
    if "![" in text:  # images are the site's figures (markdown._render_image): markdown-it-py's rule
        return None
    if "~~~" in text and _TILDE_RUN.search(text):
        return None
    if "]:" in text and (_END_BACKSLASH.search(text) or '""' in text or "''" in text or "()" in text):
        return None
    if ">" in text and _QUOTE.search(text) and _quoted_apart(text):
        return None
    if not text.isascii():
        if _ANY_SPACE.search(text) and _LOOSE_SPACE.search(text):
            return None
        if "*" in text or "_" in text or "~" in text:
            for match in _NEAR_DELIMITER.finditer(text):
                if not _same_class(match[0]):
                    return None
    cites: list[tuple] = []
    source = text
    if "[@" in text:
        parts, last = [], 0
        for match in _CITATION_RE.finditer(text):
            at = match[2]
            if (match.start() and text[match.start() - 1] == "\\") or (at and ("`" in at or "|" in at)):
                return None
            parts += [text[last:match.start()], f"[\ue000{len(cites)}\ue001]"]
            cites.append(("cite", match[1], at.strip() if at else None))
            last = match.end()
        source = "".join(parts) + text[last:]
    try:
        html = _RS.render(source)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic arrives as pyo3's PanicException, a BaseException
        return None
    try:
        return _fill(html, cites, "]:" in text)
    except _Declined:
        return None


def _unescape(value: str) -> str:
    """The text markdown-it's escapeHtml escaped (it escapes exactly these four)."""
    if "&" not in value:
        return value
    return value.replace("&quot;", '"').replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def _same_url(url: str) -> bool:
    """Whether markdown-it-py writes this link or image URL (markdown-it-pyrs's, HTML-escaped,
    percent-encoded) as it is: no space at either end once decoded (mdurl trims them), and a
    scheme or `//` only before a plain ASCII authority."""
    if url.startswith("@/") and "%" not in url:
        return True  # an internal link: a path
    url = _unescape(url)
    if "%" in url:
        decoded = unquote(url)
        if decoded != decoded.strip():
            return False
    scheme = _SCHEME.match(url)
    rest = url[scheme.end():] if scheme else url
    if rest.startswith("//"):
        rest = rest[2:]
    elif scheme is None:
        return True  # a path: no authority
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1 and found < end:
            end = found
    authority = rest[:end]
    return len(authority) <= 255 and _AUTHORITY.fullmatch(authority) is not None


def _fill(html: str, cites: list[tuple], references: bool) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
    """Cut the rendered HTML into literal pieces and slots, in the order they appear. With
    `references` (the text may define some), a `](` left as text, or a `(` right after a link,
    declines: where an inline link fails, markdown-it-py goes on reading a reference from where
    that failed (`[x](y ][ref]` links x to ref) or not at all (`[ref](` at a paragraph's end),
    markdown-it-pyrs from after the `]`."""
    if ' title="' in html:
        for match in _TITLE.finditer(html):
            if not match[1] or match[2]:
                raise _Declined  # an empty title (markdown-it-py writes none) or one over lines
    if "<img " in html:  # links' URLs are checked below
        for match in _IMAGE_URL.finditer(html):
            if not _same_url(match[1]):
                raise _Declined
    out: list[str] = []
    slots: list[tuple] = []
    line = 0
    in_code = in_link = False
    cite_no = 0
    last = 0
    for match in _SLOTS.finditer(html):
        element, start_line, href, rest, code_end, link_end, number = match.groups()
        if element is not None:  # a paragraph, list item, table cell or heading starts
            line = int(start_line) - 1
            if element[0] != "h":
                continue  # its data-sourcepos goes with all the others, below
            out.append(html[last:match.start()])
            close = html.find(f"</{element}>", match.end())
            title = _unescape(_STRIP_TITLE.sub("", html[html.find(">", match.end()) + 1:close]))
            if not title:
                raise _Declined  # markdown.py takes the raw inline content then
            out.append(f'<{element} id="{MARK}"')
            slots.append(("heading", int(element[1]), title))
        elif href is not None:
            if not _same_url(href):
                raise _Declined
            in_link = True
            out.append(html[last:match.start()])
            if href.startswith("@/"):
                out.append(f'<a href="{MARK}"{rest}>')
                slots.append(("link", sys.intern(_unescape(href)), line))
            elif href.startswith(("http://", "https://")):  # markdown.py adds rel="noopener" last
                out.append(f'<a href="{href}"{rest} rel="noopener">')
            else:
                out.append(f'<a href="{href}"{rest}>')
        elif code_end is not None:
            in_code = not code_end
            if in_code:
                content = html[html.find(">", match.end()) + 1:html.find("</code>", match.end())]
                if not content.strip(" \n"):
                    raise _Declined  # a code span of spaces and line ends: the two keep different spaces
            continue
        elif link_end is not None:
            in_link = False
            continue
        else:  # a placeholder: a citation, unless it is in code, in a link (markdown-it-py makes no
            # link of a label with a citation) or inside a tag (an image's alt)
            if (in_code or in_link or int(number) != cite_no
                    or html.rfind("<", 0, match.start()) > html.rfind(">", 0, match.start())):
                raise _Declined
            out.append(html[last:match.start()])
            out.append(MARK)
            slots.append(cites[cite_no])
            cite_no += 1
        last = match.end()
    if cite_no != len(cites):
        raise _Declined
    out.append(html[last:])
    html = _SOURCEPOS.sub("", "".join(out))
    if references and ("</a>(" in html or "/>(" in html):
        raise _Declined  # a reference link with `(` after it: where markdown-it-py tried an inline link
    if _MAYBE_LEFT.search(html) or (references and "](" in html):
        shown = _CODE_OR_TAG.sub("\x01", html)
        if "<img " in html:
            shown += "\x01".join(["", *_ALT.findall(html), ""])
        if _LEFT_MARKER.search(shown) or (references and "](" in shown):
            raise _Declined
    for rust, python in _RENDERED_APART:
        if rust in html:
            html = html.replace(rust, python)
    return tuple(html.split(MARK)), tuple(slots)
