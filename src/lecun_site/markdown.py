"""The one configured markdown-it instance, and what a render of a body returns.

Safe by default: raw HTML is shown as text (unless the site allows it), links with
`javascript:`, `vbscript:`, `file:` or non-image `data:` URLs are not made into links,
`@/…` internal links and `[@source, at]` citations are resolved through callbacks the
renderer passes in `env`, so this module knows nothing of the site graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .loader import _CITATION_RE, unique_anchor

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
    allow_raw_html: bool = False
    allow_embeds: bool = False
    first_line: int = 1
    heading_anchors: set = field(default_factory=set)


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
    render_env: RenderEnv = env["lecun"]
    if render_env.cite is None:
        label = meta["source"] + (f", {meta['at']}" if meta["at"] else "")
        return f'<span class="cite">[{escape(label)}]</span>'
    number, backref = render_env.cite(meta["source"], meta["at"])
    return (f'<sup class="cite" id="{escape(backref)}"><a href="#ref-{number}" '
            f'aria-label="reference {number}">[{number}]</a></sup>')


def _render_html(self, tokens, idx, options, env) -> str:
    content = tokens[idx].content
    render_env: RenderEnv = env["lecun"]
    if render_env.allow_raw_html:
        return content
    if render_env.allow_embeds:
        embed = _safe_embed(content)
        if embed:
            return embed
    text = escape(content)
    return f"<p>{text}</p>\n" if tokens[idx].type == "html_block" else text


def _safe_embed(html: str) -> str | None:
    """Rebuild a lone <iframe> from a known video host; None for anything else."""
    match = re.fullmatch(r'\s*<iframe\b[^>]*\bsrc="([^"]+)"[^>]*>\s*</iframe>\s*', html, re.IGNORECASE)
    if not match or not EMBED_HOSTS.match(match[1]) or re.search(r"\son\w+\s*=", html, re.IGNORECASE):
        return None
    return (f'<div class="embed"><iframe src="{escape(match[1])}" title="video" loading="lazy" '
            'allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe></div>\n')


def _make_md() -> MarkdownIt:
    # maxNesting bounds the parser's recursion (quotes in lists in quotes…); deeper markup stays
    # text. It also bounds the work per '[' in a run of unclosed brackets, so keep it small.
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False, "maxNesting": 20})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("html_block", _render_html)
    md.add_render_rule("html_inline", _render_html)
    return md


_MD = _make_md()


def render_markdown(text: str, env: RenderEnv | None = None) -> Rendered:
    """Render a markdown body to safe HTML; headings get ids; internal links are resolved."""
    env = env or RenderEnv()
    md_env = {"lecun": env}
    tokens = _MD.parse(text, md_env)
    headings: list[Heading] = []
    line = env.first_line
    for index, token in enumerate(tokens):
        if token.map:
            line = env.first_line + token.map[0]
        if token.type == "heading_open":
            inline = tokens[index + 1]
            title = "".join(c.content for c in (inline.children or []) if c.type in ("text", "code_inline"))
            anchor = unique_anchor(title or inline.content, env.heading_anchors)
            token.attrSet("id", anchor)
            headings.append(Heading(int(token.tag[1]), title or inline.content, anchor))
        for child in token.children or ():
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if href.startswith("@/"):
                    resolved = env.link(href, line)
                    child.attrSet("href", resolved if resolved is not None else "#")
                    if resolved is None:
                        child.attrSet("class", "broken-link")
                elif re.match(r"^https?://", href):
                    child.attrSet("rel", "noopener")
    html = _MD.renderer.render(tokens, _MD.options, md_env)
    return Rendered(html=html, headings=headings)


def render_inline(text: str) -> str:
    """Render a short text (a summary, a detail) as inline markdown: emphasis, code, links."""
    return _MD.renderInline(text, {"lecun": RenderEnv()})
