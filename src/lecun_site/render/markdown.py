"""The one configured markdown-it instance, and what a render of a body returns.

Safe by default: raw HTML is shown as text (unless the site allows it), links with
`javascript:`, `vbscript:`, `file:` or non-image `data:` URLs are not made into links,
`@/…` internal links and `[@source, at]` citations are resolved through callbacks the
renderer passes in `env`, so this module knows nothing of the site graph.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from html import escape
from typing import Callable, Iterable, Protocol

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline

from ..content.body import _CITATION_RE, HEADING_ATTRS_RE, MORE_RE
from ..content.transcripts import unique_anchor
from .markdown_rs import MARK as _MARK
from .markdown_rs import compile_rs

EMBED_HOSTS = re.compile(
    r"^https://(?:www\.)?(?:youtube\.com/embed/|youtube-nocookie\.com/embed/|player\.vimeo\.com/video/"
    r"|player\.bilibili\.com/player\.html\?)[\w\-?=&;./%]*$"
)


@dataclass
class Heading:
    level: int
    text: str
    anchor: str


@dataclass
class Rendered:
    html: str
    headings: list[Heading] = field(default_factory=list)


@dataclass
class RenderEnv:
    """Per-render callbacks and options (one markdown-it instance serves every page)."""

    link: Callable[[str, int | None], str | None] = lambda target, line: None
    cite: Callable[[str, str | None], tuple[int, str]] | None = None
    allow_raw_html: bool | str = False  # False: escaped; True: as written (trusted); "sanitize": nh3's allow-list
    allow_embeds: bool = False
    first_line: int = 1
    heading_anchors: set = field(default_factory=set)
    compiler: "Compiler | None" = None  # the renderer's; None: compiled on its own
    image: Callable[[str, str, str, bool], str] | None = None  # (src, alt, title, alone) -> HTML


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = _CITATION_RE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"source": match[1], "at": match[2].strip() if match[2] else None}
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    slots = env.get("slots")
    if slots is not None:
        return _slot(slots, ("cite", meta["source"], meta["at"]))
    label = meta["source"] + (f", {meta['at']}" if meta["at"] else "")
    return f'<span class="cite">[{escape(label)}]</span>'


def _render_image(self, tokens, idx, options, env) -> str:
    """An image becomes a slot the page fills (Page.figure: its size, srcset, caption, credit);
    alone in its paragraph it is a <figure>, in a line of text an <img>."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src, title = str(token.attrGet("src") or ""), str(token.attrGet("title") or "")
    slots = env.get("slots")
    if slots is None:
        return _plain_image(src, alt, title)
    return _slot(slots, ("image", sys.intern(src), alt, title, bool(token.meta.get("alone"))))


def _plain_image(src: str, alt: str, title: str) -> str:
    title_attr = f' title="{escapeHtml(title)}"' if title else ""
    return f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"{title_attr} loading="lazy">'


def _lone_images(tokens) -> None:
    """A paragraph holding only an image is a figure: the paragraph's tags are dropped."""
    for index, token in enumerate(tokens):
        if token.type != "inline" or index == 0 or tokens[index - 1].type != "paragraph_open":
            continue
        shown = [c for c in token.children or () if not (c.type == "softbreak" or (c.type == "text" and not c.content.strip()))]
        if len(shown) == 1 and shown[0].type == "image":
            shown[0].meta["alone"] = True
            tokens[index - 1].hidden = tokens[index + 1].hidden = True


def _render_html(self, tokens, idx, options, env) -> str:
    content = tokens[idx].content
    if MORE_RE.fullmatch(content.strip()):
        return ""  # `<!--more-->`, the summary break of Hugo, Hexo and Jekyll: the loader read it
    mode = env.get("allow_raw_html")
    if mode is True:
        return content
    if env.get("allow_embeds"):
        embed = _safe_embed(content)
        if embed:
            if mode == "sanitize":  # kept out of the sanitiser (no iframe passes it), put back after
                env["embeds"].append(embed)
                return f"{_EMBED_MARK}{len(env['embeds']) - 1}{_EMBED_MARK}"
            return embed
    if mode == "sanitize":
        env["sanitize"] = True
        return content
    text = escape(content)
    return f"<p>{text}</p>\n" if tokens[idx].type == "html_block" else text


def _safe_embed(html: str) -> str | None:
    """Rebuild a lone <iframe> from a known video host; None for anything else."""
    match = re.fullmatch(r'\s*<iframe\b[^>]*\bsrc="([^"]+)"[^>]*>\s*</iframe>\s*', html, re.IGNORECASE)
    if not match or not EMBED_HOSTS.match(match[1]) or re.search(r"\son\w+\s*=", html, re.IGNORECASE):
        return None
    return (f'<div class="embed"><iframe src="{escape(match[1])}" title="video" loading="lazy" '
            'allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe></div>\n')


# An internal link in plain characters is its own normal form: markdown-it's normalizeLink
# (parse, percent-encode, format again) returns it unchanged, and a large site has hundreds of
# thousands of them (tests/test_markdown_links.py checks the two agree).
_PLAIN_TARGET = r"@/[A-Za-z0-9_./#-]*"
_PLAIN_INTERNAL = re.compile(_PLAIN_TARGET)


class _MarkdownIt(MarkdownIt):
    def normalizeLink(self, url: str) -> str:
        if _PLAIN_INTERNAL.fullmatch(url):
            return url
        return super().normalizeLink(url)


# `[label](@/path)` with a label of plain text is most of the links a notes site has. For those,
# this rule emits what markdown-it's own link rule would (link_open, one text token, link_close)
# without parsing the label and destination character by character and tokenizing the label
# again; anything else, such as emphasis, brackets, escapes, entities or a title, is left to
# markdown-it (tests/test_markdown_links.py compares the two on generated documents).
_PLAIN_LINK = re.compile(r"\[([^\[\]\\`~*_!<&\n]+)\]\((" + _PLAIN_TARGET + r")\)")


def _plain_internal_link(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = _PLAIN_LINK.match(state.src, state.pos, state.posMax)
    if not match or not state.md.validateLink(match[2]):
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": match[2]}
        state.pending += match[1]
        state.pushPending()
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


def _heading_attributes(state) -> None:
    """`## Title {#custom-id .class}` (Hugo, kramdown): the id and classes go on the heading,
    out of its text. Ids and classes are word characters, `-` and `:` only."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        children = inline.children or []
        if not children or children[-1].type != "text":
            continue
        match = HEADING_ATTRS_RE.search(children[-1].content)
        if not match or not HEADING_ATTRS_RE.search(inline.content):
            continue
        children[-1].content = children[-1].content[: match.start()]
        inline.content = HEADING_ATTRS_RE.sub("", inline.content)
        classes = []
        for item in match[1].split():
            if item.startswith("#"):
                token.meta["custom_id"] = item[1:]
            else:
                classes.append(item[1:])
        if classes:
            token.attrSet("class", " ".join(classes))


def _make_md() -> MarkdownIt:
    # maxNesting bounds the parser's recursion (quotes in lists in quotes…); deeper markup stays
    # text. It also bounds the work per '[' in a run of unclosed brackets, so keep it small.
    md = _MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False, "maxNesting": 20})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.before("link", "plain_internal_link", _plain_internal_link)
    md.core.ruler.after("inline", "heading_attributes", _heading_attributes)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("html_block", _render_html)
    md.add_render_rule("html_inline", _render_html)
    md.add_render_rule("image", _render_image)
    return md


_MD = _make_md()


# A body is parsed once into a `Compiled`: its HTML cut into literal pieces and *slots*, the
# places that depend on the page it appears on (heading ids unique within the page, `@/`
# links made relative to the page, citation numbers counted per page). Filling the slots is
# cheap, so the same text shown on many pages (a bio, a turn on two transcript pages) or kept
# in the build cache across runs is parsed only once. Slot markers use NUL, which markdown-it
# replaces in every input, so no content can forge one.


@dataclass(frozen=True)
class Compiled:
    pieces: tuple[str, ...]  # literal HTML, slots[0], literal HTML, slots[1], …, literal HTML
    slots: tuple[tuple, ...]


def _slot(slots: list, slot: tuple) -> str:
    slots.append(slot)
    return f"{_MARK}{len(slots) - 1}{_MARK}"


Key = tuple[bytes, bool, bool]  # (hash of the text, allow_raw_html, allow_embeds)


class Store(Protocol):
    """Compiled bodies kept on disk between builds (the build cache's, cache.py)."""

    def get(self, key: Key) -> Compiled | None: ...

    def add(self, key: Key, compiled: Compiled) -> None: ...

    def close(self) -> None: ...


# Bodies compiled or fetched lately, kept by a Compiler. Bounded: a body is seldom needed again
# except soon after (a transcript turn on its transcript page, then on the bilingual one, which
# is planned right after it), so a large site's bodies need not all be held at once; the store
# keeps them for the next build. A compiled note body is ~6.6 KB: 2,048 of them held 13.5 MB in
# each render process at 4,000 notes, to save compiling again only the turns the synthetic
# corpus repeats across transcripts (5,272 → 5,893 compiles of 11,858 look-ups per language).
MEMO_SIZE = 256


class Compiler:
    """Compiles markdown bodies for one renderer (one build): nothing is kept between builds but
    what is in the build cache's store, so two builds in one process are two clean builds.

    `memo` holds the bodies compiled or fetched lately (bounded, above); `ready` those compiled
    ahead by `prepare`, until a page asks for them; `used` the keys of every body looked up
    (forked render workers report theirs; the cache keeps those after a full build); `store`
    is the build cache's, or None."""

    def __init__(self, store: Store | None = None) -> None:
        self.memo: OrderedDict[Key, Compiled] = OrderedDict()
        self.ready: dict[Key, Compiled] = {}
        self.used: set[Key] = set()
        self.store = store

    def compile(self, text: str, allow_raw_html: bool = False, allow_embeds: bool = False) -> Compiled:
        key = _key(text, allow_raw_html, allow_embeds)
        self.used.add(key)
        memo = self.memo
        found = memo.get(key)
        if found is not None:
            memo.move_to_end(key)
            return found
        found = self.ready.pop(key, None)
        if found is None:
            found = self._fetch(key, text, allow_raw_html, allow_embeds)
        memo[key] = found
        if len(memo) > MEMO_SIZE:
            memo.popitem(last=False)
        return found

    def prepare(self, texts: Iterable[str], allow_raw_html: bool = False, allow_embeds: bool = False) -> None:
        """Compile `texts` now, one after another, for the pages about to ask for them: a run of
        compiles keeps the parsers' code and data in the processor's caches, where compiles
        between templates did not (at 4,000 notes, 8,000 note pages in one process: 5.4–5.8 s instead
        of 6.6–6.8 s).
        What fails here is left for the page to compile, and report, itself."""
        ready, memo = self.ready, self.memo
        for text in texts:
            key = _key(text, allow_raw_html, allow_embeds)
            if key not in ready and key not in memo:
                try:
                    ready[key] = self._fetch(key, text, allow_raw_html, allow_embeds)
                except Exception:  # noqa: BLE001 - raised again, in its page, by compile
                    continue

    def _fetch(self, key: Key, text: str, allow_raw_html: bool, allow_embeds: bool) -> Compiled:
        store = self.store
        found = store.get(key) if store is not None else None
        if found is None:
            found = _compile(text, allow_raw_html, allow_embeds)
            if store is not None:
                store.add(key, found)
        return found


def _key(text: str, allow_raw_html: bool | str, allow_embeds: bool) -> Key:
    return (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), allow_raw_html,
            allow_embeds)


def compile_markdown(text: str, allow_raw_html: bool = False, allow_embeds: bool = False) -> Compiled:
    """One body compiled on its own (no memory, no store)."""
    return _compile(text, allow_raw_html, allow_embeds)


def _compile(text: str, allow_raw_html: bool, allow_embeds: bool) -> Compiled:
    """Parse `text` once: with markdown-it-pyrs where it is known to give what markdown-it-py
    gives (markdown_rs.py; the HTML options matter only where it declines: raw HTML), else here."""
    fast = compile_rs(text)
    if fast is not None:
        return Compiled(*fast)
    return _compile_py(text, allow_raw_html, allow_embeds)


def _compile_py(text: str, allow_raw_html: bool, allow_embeds: bool) -> Compiled:
    slots: list[tuple] = []
    if allow_raw_html == "sanitize":
        text = text.replace(_EMBED_MARK, "\ufffd")  # no content can forge an embed marker
    md_env = {"slots": slots, "allow_raw_html": allow_raw_html, "allow_embeds": allow_embeds, "embeds": []}
    tokens = _MD.parse(text, md_env)
    if "![" in text:
        _lone_images(tokens)
    line = 0
    for index, token in enumerate(tokens):
        if token.map:
            line = token.map[0]
        if token.type == "heading_open":
            inline = tokens[index + 1]
            title = "".join(c.content for c in (inline.children or []) if c.type in ("text", "code_inline"))
            heading = ("heading", int(token.tag[1]), title or inline.content)
            custom = token.meta.get("custom_id") if token.meta else None
            token.attrSet("id", _slot(slots, heading + (custom,) if custom else heading))
        for child in token.children or ():
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if href.startswith("@/"):
                    child.attrSet("href", _slot(slots, ("link", sys.intern(href), line)))
                elif href.startswith(("http://", "https://")):
                    child.attrSet("rel", "noopener")
    html = _MD.renderer.render(tokens, _MD.options, md_env)
    if md_env.get("sanitize") or md_env["embeds"]:
        html = sanitize_html(html, md_env["embeds"])
    parts = html.split(_MARK)  # literal, slot number, literal, …: slots in the order they appear
    return Compiled(tuple(parts[0::2]), tuple(slots[int(number)] for number in parts[1::2]))


def render_markdown(text: str, env: RenderEnv | None = None) -> Rendered:
    """Render a markdown body to safe HTML; headings get ids; internal links are resolved."""
    env = env or RenderEnv()
    compiled = (env.compiler.compile(text, env.allow_raw_html, env.allow_embeds) if env.compiler is not None
                else compile_markdown(text, env.allow_raw_html, env.allow_embeds))
    out = [compiled.pieces[0]]
    headings: list[Heading] = []
    for slot, piece in zip(compiled.slots, compiled.pieces[1:]):
        kind = slot[0]
        if kind == "heading":
            anchor = (_custom_anchor(slot[3], env.heading_anchors) if len(slot) > 3
                      else unique_anchor(slot[2], env.heading_anchors))
            headings.append(Heading(slot[1], slot[2], anchor))
            out.append(escapeHtml(anchor))
        elif kind == "link":
            resolved = env.link(slot[1], env.first_line + slot[2])
            out.append(escapeHtml(resolved) if resolved is not None else '#" class="broken-link')
        elif kind == "image":
            out.append(env.image(*slot[1:]) if env.image is not None else _plain_image(*slot[1:4]))
        elif env.cite is None:
            label = slot[1] + (f", {slot[2]}" if slot[2] else "")
            out.append(f'<span class="cite">[{escape(label)}]</span>')
        else:
            number, backref = env.cite(slot[1], slot[2])
            out.append(f'<sup class="cite" id="{escape(backref)}"><a href="#ref-{number}" '
                       f'aria-label="reference {number}">[{number}]</a></sup>')
        out.append(piece)
    return Rendered(html="".join(out), headings=headings)


def _custom_anchor(anchor: str, used: set) -> str:
    """A heading's own `{#id}`, kept as written (links name it); `-2`, `-3`… when used twice."""
    found, n = anchor, 2
    while found in used:
        found, n = f"{anchor}-{n}", n + 1
    used.add(found)
    return found


# ---- `html: sanitize`: raw HTML kept, cleaned by nh3 (Ammonia) over the whole rendered body, so
# that an element opened in one HTML token and closed in another is judged whole. What markdown
# itself writes is on the allow-list; scripts, styles, event handlers, forms and iframes are not,
# and URLs keep only http(s), mailto and relative forms. Slot markers (NUL) and embeds (rebuilt
# by _safe_embed, never given to the sanitiser) are swapped out around it.
_EMBED_MARK = "\ue0fe"
_SLOT_STANDIN = "\ue0ff"
SANITIZE_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
    "wbr", "video", "audio", "source", "picture",
})
SANITIZE_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "aria-label", "aria-hidden", "role"},
    "a": {"href", "rel", "hreflang", "name"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "video": {"src", "controls", "width", "height", "poster", "preload", "muted", "loop"},
    "audio": {"src", "controls", "preload", "muted", "loop"},
    "ol": {"start", "type", "reversed"}, "li": {"value"},
    "td": {"colspan", "rowspan", "style"}, "th": {"colspan", "rowspan", "scope", "style"},
    "time": {"datetime"}, "details": {"open"}, "abbr": {"title"},
}
SANITIZE_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize_html(html: str, embeds: list[str] = ()) -> str:
    import nh3

    html = html.replace(_MARK, _SLOT_STANDIN)
    cleaned = nh3.clean(html, tags=set(SANITIZE_TAGS), attributes={k: set(v) for k, v in SANITIZE_ATTRIBUTES.items()},
                        url_schemes=set(SANITIZE_SCHEMES), link_rel=None, strip_comments=True,
                        filter_style_properties={"text-align"})
    cleaned = cleaned.replace(_SLOT_STANDIN, _MARK)
    for number, embed in enumerate(embeds):
        cleaned = cleaned.replace(f"{_EMBED_MARK}{number}{_EMBED_MARK}", embed)
    return cleaned


@functools.lru_cache(maxsize=4096)
def render_inline(text: str) -> str:
    """Render a short text (a summary, a detail) as inline markdown: emphasis, code, links."""
    return _MD.renderInline(text, {})
