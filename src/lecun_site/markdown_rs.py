"""The fast path of markdown.py: the same compiled body from markdown-it-pyrs, or None.

markdown-it-pyrs is the Rust port of markdown-it. markdown-it-py costs ~0.8 ms a note body,
about a third of a cold build; this path costs ~0.2 ms. It has no Python plugins, so it cannot
run our two inline rules (citations, plain `@/` links), and no nesting limit (deep input that
markdown-it-py keeps as text is parsed; some, far deeper than any note, crashes it). So it
takes only bodies it can render as markdown.py's markdown-it-py setup does, and checks each:

- It declines, before parsing, what could differ or harm: raw HTML, autolinks and anything
  else with `<` (the HTML policy lives in markdown.py's renderer), NUL and the placeholder
  characters below, deep nesting (8 container markers on a line, 16 columns of indentation),
  a list item whose text starts on the next line, an image description with an entity, an
  escape or a line break (markdown-it-pyrs leaves those out of `alt`), and bodies over 20,000
  characters.
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

tests/test_markdown_rs.py compares it with markdown-it-py on generated documents, on the
benchmark corpus and on content/. Without the package everything goes to markdown-it-py.
"""

from __future__ import annotations

import re
import sys

from .loader import _CITATION_RE

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - the package is a dependency; markdown-it-py still works
    markdown_it_pyrs = None

MARK = "\x00"  # slot marker, as markdown.py's (NUL: markdown-it replaces it in every input)
MAX_CHARS = 20_000
_DECLINE = re.compile(r"[<\x00\ue000\ue001]|^[ \t]{16}|^(?:[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t])){8}"
                      r"|^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]*$|!\[[^\]\n]*[&\\\n]", re.M)
_RS = (markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough", "sourcepos"])
       if markdown_it_pyrs else None)
# what _fill reads: elements whose line a link takes (and headings), links, code, placeholders
_SLOTS = re.compile(r'<(p|li|td|th|h[1-6]) data-sourcepos="(\d+):[^"]*"|<a data-sourcepos="[^"]*" href="([^"]*)"([^>]*)>'
                    r"|<(/?)code\b|(</a>)|\[\ue000(\d+)\ue001\]")
_SOURCEPOS = re.compile(r' data-sourcepos="[^"]*"')
_STRIP_TITLE = re.compile(r"<[^>]*>|\[\ue000\d+\ue001\]|\n")

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})(.*)$", re.M)
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_DELIMITER_ROW = re.compile(r"^[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*$")
# where the two renderers write the same tree apart (found by tests/test_markdown_rs.py)
_RENDERED_APART = [("<blockquote>\n</blockquote>", "<blockquote></blockquote>")]


class _Declined(Exception):
    pass


def _plain_blocks(text: str) -> bool:
    """Whether every code fence is closed and outside lists and quotes, and every table is
    plain: each row between pipes, as many cells as the delimiter row, no escaped pipe or code
    span in it. The two parsers end an unclosed fence and read looser tables differently."""
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


def compile_rs(text: str) -> tuple[tuple[str, ...], tuple[tuple, ...]] | None:
    """(pieces, slots) as markdown._compile makes them, or None to leave `text` to markdown-it-py."""
    if _RS is None or len(text) > MAX_CHARS or _DECLINE.search(text) or not _plain_blocks(text):
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
        return _fill(html, cites)
    except _Declined:
        return None


def _unescape(value: str) -> str:
    """The text markdown-it's escapeHtml escaped (it escapes exactly these four)."""
    if "&" not in value:
        return value
    return value.replace("&quot;", '"').replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def _fill(html: str, cites: list[tuple]) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
    """Cut the rendered HTML into literal pieces and slots, in the order they appear."""
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
    for rust, python in _RENDERED_APART:
        if rust in html:
            html = html.replace(rust, python)
    return tuple(html.split(MARK)), tuple(slots)
