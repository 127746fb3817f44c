"""The Jinja environment the renderer uses: safe output, and templates compiled to lean code.

`make_environment` sets Jinja up (autoescape on, StrictUndefined, the globals templates may
call); `LeanTemplateCode` and `escape_output` are the two speed-ups documented below.

Both lean on private code: `LeanTemplateCode` overrides methods of Jinja's `CodeGenerator`
(`visit_Template`, `visit_Call`, `_output_child_pre`, and uses `signature`, `write` and
`stream`), and `escape_output` calls markupsafe's `_escape_inner`. pyproject.toml pins the
releases this was tested with (jinja2 3.1, markupsafe 3.0), and the first `make_environment`
of a process checks them (`lean_code_problem`): the private names are there, with the
parameters this code was written for, and a probe template (calls with every kind of
argument, macros with `caller`, blocks and `super()`, loops, filters, `{% set %}` blocks,
autoescape switched off and on, and `<&"'>`, Markup, None, numbers and objects with
`__html__` to write) renders the same bytes with `LeanTemplateCode` as with Jinja's own
code generator. If anything differs or fails, it warns once (RuntimeWarning) and every
environment uses Jinja's own code generator and markupsafe's public `escape`: slower
(~a fifth of rendering a page), the same pages.

The environment variable LECUN_SITE_PLAIN_JINJA=1 (any value but empty or 0) does the same
without the check: Jinja's own code generator, markupsafe's public `escape`. Compiled
templates are cached apart for the two (the build cache's bytecode folder), so switching it
takes effect at once.
"""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
import io
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
import markupsafe
from jinja2.compiler import CodeGenerator

from .. import urls
from ..errors import SiteError, TemplateError
from ..records import format_timestamp
from ..theme import DEFAULT_PREFIX, Theme

PLAIN_JINJA_VARIABLE = "LECUN_SITE_PLAIN_JINJA"


def _public_escape(text: str) -> str:
    return str(markupsafe.escape(text))


# markupsafe's C function behind `escape` (a plain str in, the escaped str out); the public
# function where a markupsafe release no longer has it, or where the check below fails
_private_escape = getattr(markupsafe, "_escape_inner", None)
_escape_text = _private_escape or _public_escape


def escape_output(value: Any) -> str:
    """`markupsafe.escape(value)` as a plain str, for what a template writes out: escaped text,
    or the HTML of a value that has it (Markup, a fragment). The pieces a template writes are
    only ever joined into a string, which Jinja makes Markup again where it must (macros,
    `{% set %}` blocks), so wrapping each in Markup first is wasted work."""
    if type(value) is str:
        return _escape_text(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return _escape_text(str(value))


class LeanTemplateCode(CodeGenerator):
    """The Python code Jinja compiles templates into, with two costs of its own left out.

    - **Calls.** Jinja compiles every call in a template (`page.t('x')`, a macro,
      `urls.note(…)`) into `context.call(f, …)`, which looks for `pass_context`-style markers
      on `f` before calling it: about a fifth of the time of rendering a page here, at ~65
      calls a page. Nothing the templates can call takes Jinja's context: views, macros,
      `loop`, `caller` and the globals of `make_environment` are plain callables
      (tests/test_render.py checks the globals and every class of the package). So a call is
      compiled as the plain Python call it stands for; what Jinja adds to calls inside loops
      and blocks for such markers (`_loop_vars`, `_block_vars`) is left out, and `caller` is
      still passed to a macro called with a block.
    - **Output.** Every `{{ value }}` is written through `escape_output` (above) instead of
      `markupsafe.escape`: the same text, without a Markup object for each piece.

    `lean_code_problem` (below) renders a probe template with this and with Jinja's own code
    generator and compares, once a process; tests/test_render.py does the same."""

    def visit_Template(self, node: jinja2.nodes.Template, frame=None) -> None:
        self.writeline("from lecun_site.render.jinja_env import escape_output")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node: jinja2.nodes.Expr, frame, finalize) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)

    def visit_Call(self, node: jinja2.nodes.Call, frame, forward_caller: bool = False) -> None:
        if self.environment.is_async or self.environment.sandboxed:
            super().visit_Call(node, frame, forward_caller)
            return
        self.write("(")
        self.visit(node.node, frame)
        self.write(")(")
        arguments, self.stream = self.stream, io.StringIO()  # signature() writes ", a, b, k=v"
        try:
            self.signature(node, frame, {"caller": "caller"} if forward_caller else None)
        finally:
            arguments, self.stream = self.stream, arguments
        self.write(arguments.getvalue().removeprefix(", ") + ")")


# ------------------------------------------------------------------ the check

# the private methods LeanTemplateCode overrides or calls, with the parameters it was written for
# (and escape_output calls markupsafe's _escape_inner)
PRIVATE_PARTS = {
    "CodeGenerator.visit_Template": ("self", "node", "frame"),
    "CodeGenerator.visit_Call": ("self", "node", "frame", "forward_caller"),
    "CodeGenerator._output_child_pre": ("self", "node", "frame", "finalize"),
    "CodeGenerator.signature": ("self", "node", "frame", "extra_kwargs"),
    "CodeGenerator.write": ("self", "x"),
    "CodeGenerator.writeline": ("self", "x", "node", "extra"),
}

# The probe: a page that extends a layout and imports macros, with every kind of call (positional,
# keyword, *args, **kwargs, keyword arguments that are Python keywords, a macro with `caller`
# and with arguments to `caller`, `super()`, `self.block()`, `loop.cycle`), filters, tests,
# `{% set %}` blocks, namespaces, autoescape switched off and switched by a variable, and
# values of every kind to write. tests/test_render.py renders it too.
PROBE_TEMPLATES = {
    "macros.html": """{% macro box(title, class_='box') -%}
<div class="{{ class_ }}">{{ title }}:{{ caller() if caller else '' }}</div>
{%- endmacro %}
{% macro plain(a, b=2) %}[{{ a }} {{ b }} {{ varargs|join(',') }} {{ kwargs|dictsort }}]{% endmacro %}
{% macro row(cells) %}<tr>{% for cell in cells %}<td>{{ caller(cell, loop.index) }}</td>{% endfor %}</tr>
{%- endmacro %}""",
    "layout.html": """<title>{% block title %}{{ shout('base') }}{% endblock %}</title>
{% block main %}{% endblock %}
{{ self.title() }}""",
    "page.html": """{% extends "layout.html" %}
{% from "macros.html" import box, plain, row %}
{% block title %}{{ super() }}/{{ shout(name) }}{% endblock %}
{% block main %}
{% set ns = namespace(total=0) %}
{% for item in items %}
  {% call box(item, class_="row") %}{{ loop.cycle('odd', 'even') }} {{ shout(item, times=loop.index) }}{% endcall %}
  {{ plain(item) }}{{ plain(*pair) }}{{ plain(1, 2, 3, 4, x=5, **extra) }}
  {% set ns.total = ns.total + counter.add(loop.index) %}
{% endfor %}
{% call(cell, n) row(items) %}{{ n }}={{ cell|upper }}{{ shout(cell) }}{% endcall %}
{{ ns.total }} {{ range(3)|list }} {{ dict(a=1)|dictsort }} {{ call_with(**{'class': 'kw', 'if': 'yes'}) }}
{{ "<b>" ~ shout('<i>') }} {{ fetch()['k'] }} {{ fetch().k }} {{ '%s & %d'|format(name, 7) }}
{% set block %}<{{ name }}>{{ safe_html }}{% endset %}{{ block }} {{ block|length }} {{ safe_html }} {{ 42 }} {{ none }}
{{ '"double" & ' ~ "'quoted'" }} {{ "中文 <標題>" }} {{ plain(safe_html) }} {{ with_html }} {{ name|upper }}
{{ 3.5 }} {{ -1 }} {{ true }} {{ items }} {{ safe_html|e }} {{ name|safe }} {{ name|e }} {{ none is none }}
{{ '<&"\\'>' }} {{ markup_text ~ '<x>' }} {{ with_html ~ '&' }} {{ [name, safe_html]|join(' | ') }}
{% if name is string and items|length > 2 %}{{ items|map('upper')|join(',') }}{% endif %}
{% filter upper %}{{ name }} & {{ safe_html }}{% endfilter %}
{% autoescape false %}{{ name }} {{ shout(name) }} {{ safe_html }}{% endautoescape %}
{% autoescape switch %}{{ name }} {{ shout(name) }} {{ with_html }}{% endautoescape %}
{% endblock %}""",
}


class _ProbeHtml:
    def __html__(self):
        return "<span>own html</span>"

    def __str__(self):
        return "<plain>"


class _ProbeCounter:
    def __init__(self):
        self.count = 0

    def add(self, n):
        self.count += n
        return n


def _environment(**options: Any) -> jinja2.Environment:
    return jinja2.Environment(
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )


def probe_context() -> dict[str, Any]:
    """What the probe page is rendered with."""
    return dict(
        name="<n>", items=["a", "<b>", "c"], pair=("p", "q"), extra={"y": 6}, counter=_ProbeCounter(),
        shout=lambda text, times=1: (str(text) + "!") * times,
        call_with=lambda **kw: sorted(kw.items()), fetch=lambda: {"k": "v"}, switch=True,
        safe_html=markupsafe.Markup("<em>safe & sound</em>"), with_html=_ProbeHtml(),
        markup_text=markupsafe.Markup("<i>it</i>"))


def render_probe(generator: type[CodeGenerator]) -> tuple[str, jinja2.Template]:
    """The probe page rendered by templates compiled with `generator`, and the page's template."""
    env = _environment(loader=jinja2.DictLoader(PROBE_TEMPLATES))
    env.code_generator_class = generator
    template = env.get_template("page.html")
    return template.render(probe_context()), template


# what escape_output must write as markupsafe.escape does
PROBE_VALUES = ("", "plain", "<&\"'>", "中文 <標題> & 'x'", "\x00<\ud7ff>", markupsafe.Markup("<em>m</em>"),
                None, 0, 42, -1.5, True, _ProbeHtml(), ["<a>"], object)


def _find_problem() -> str | None:
    if not callable(_private_escape):
        return "markupsafe._escape_inner is missing"
    for qualified, expected in PRIVATE_PARTS.items():
        method = getattr(CodeGenerator, qualified.split(".")[1], None)
        if not callable(method):
            return f"{qualified} is missing"
        found = tuple(inspect.signature(method).parameters)
        if found != expected:
            return f"{qualified} takes ({', '.join(found)}), not ({', '.join(expected)})"
    lean, template = render_probe(LeanTemplateCode)
    stock, _ = render_probe(CodeGenerator)
    if template.root_render_func.__globals__.get("escape_output") is not escape_output:
        return "the lean template code does not write through escape_output"
    if lean != stock:
        at = next((i for i, (a, b) in enumerate(zip(lean, stock)) if a != b), min(len(lean), len(stock)))
        return (f"the probe template renders apart from character {at}: "
                f"{lean[at:at + 40]!r} against {stock[at:at + 40]!r}")
    for value in PROBE_VALUES:
        if escape_output(value) != str(markupsafe.escape(value)):
            return f"escape_output({value!r}) is {escape_output(value)!r}, not markupsafe.escape's"
    return None


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "?"


@functools.cache
def lean_code_problem() -> str | None:
    """None where `LeanTemplateCode` and `escape_output` give what Jinja's own code gives with
    the Jinja and markupsafe installed, else what differs; then markupsafe's public `escape` is
    used from now on, and a RuntimeWarning says so. Checked once a process (~30 ms)."""
    global _escape_text
    try:
        problem = _find_problem()
    except Exception as exc:  # a private part that changed so far that the probe fails
        problem = f"{type(exc).__name__}: {exc}"
    if problem is not None:
        _escape_text = _public_escape
        warnings.warn(f"lecun_site: with jinja2 {_version('jinja2')} and markupsafe {_version('markupsafe')}, "
                      f"the lean template code does not render as Jinja's own ({problem}); templates use "
                      f"Jinja's own code generator (slower, same pages). pyproject.toml pins the releases it "
                      f"was tested with; {PLAIN_JINJA_VARIABLE}=1 skips this check.", RuntimeWarning, stacklevel=3)
    return problem


def plain_jinja_requested() -> bool:
    return os.environ.get(PLAIN_JINJA_VARIABLE, "").strip() not in ("", "0")


def use_lean_code() -> bool:
    """Whether environments made now compile templates with `LeanTemplateCode`: not when
    LECUN_SITE_PLAIN_JINJA asks for Jinja's own code, nor when the check fails."""
    global _escape_text
    if plain_jinja_requested():
        _escape_text = _public_escape
        return False
    return lean_code_problem() is None


def template_loader(templates: Theme | Path | Sequence[Path]) -> jinja2.BaseLoader:
    """Templates looked up in each folder in turn (the site's first, the default theme's last);
    `default:NAME` is always the default theme's NAME, so a site's template can extend the one
    it replaces."""
    if isinstance(templates, Theme):
        folders = list(templates.templates)
    elif isinstance(templates, Path):
        folders = [templates]
    else:
        folders = list(templates)
    loaders = [jinja2.FileSystemLoader(str(folder)) for folder in folders]
    if len(loaders) == 1:
        return loaders[0]
    default = jinja2.PrefixLoader({DEFAULT_PREFIX: loaders[-1]}, delimiter=":")
    return jinja2.ChoiceLoader([*loaders, default])


def make_environment(templates: Theme | Path | Sequence[Path], bytecode_folder: Path | None = None,
                     reload_templates: bool = True) -> jinja2.Environment:
    """Jinja set up for safe output, loading `templates` (template_loader); with `bytecode_folder`, compiled templates are kept there
    between runs (Jinja checks each against its template's source before using it). Without
    `reload_templates` (a build, whose templates do not change while it runs), a template once
    loaded is not checked against its file again: that is four `stat` calls a page, ~4% of
    rendering a note page. serve keeps one environment across edits and needs the checks."""
    lean = use_lean_code()
    bytecode_cache = None
    if bytecode_folder is not None:
        bytecode_folder.mkdir(parents=True, exist_ok=True)
        # templates compiled by the two code generators are kept apart: Jinja would load either
        bytecode_cache = jinja2.FileSystemBytecodeCache(
            str(bytecode_folder), "__jinja2_%s.cache" if lean else "__jinja2_plain_%s.cache")
    env = _environment(
        bytecode_cache=bytecode_cache,
        auto_reload=reload_templates,
        loader=template_loader(templates),
    )
    if lean:
        env.code_generator_class = LeanTemplateCode
    env.globals.update(urls=urls, media_link=urls.media_link, format_timestamp=format_timestamp)
    env.filters["meta_description"] = meta_description
    return env


def meta_description(text: str, limit: int = 160) -> str:
    """`text` as a meta description: whitespace collapsed, and cut to `limit` characters at the
    end of a sentence (if one ends past half of it), else at the last space, else (Chinese,
    written without spaces) at the limit, with an ellipsis for what was left out."""
    text = " ".join(str(markupsafe.Markup(text).unescape() if isinstance(text, markupsafe.Markup) else text).split())
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [m.end() for m in re.finditer(r"[。！？]|[.!?](?=\s)", head)]
    if ends and ends[-1] >= limit // 2:
        return head[:ends[-1]]
    space = head[:limit - 1].rfind(" ")
    if space >= limit // 2:
        return head[:space].rstrip(",;:，；：、") + "…"
    return head[:limit - 1] + "…"


# --------------------------------------------------------------------------- errors, in place


def template_error(exc: BaseException, page: str | None = None) -> TemplateError | None:
    """`exc`, raised while a template was parsed or rendered, as `path:line: message` naming the
    template file and the line in it (the innermost template, for one included by another);
    None when no template is to blame."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where: tuple[str, int] | None = (exc.filename or exc.name or "<template>", exc.lineno)
        message = f"template syntax error: {exc.message}"
    else:
        where = _innermost_template_line(exc.__traceback__)
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"template '{exc.name}' not found"
        elif isinstance(exc, (jinja2.TemplateError, SiteError)):
            message = str(exc.message if isinstance(exc, jinja2.TemplateError) else exc)
        else:
            message = f"{type(exc).__name__}: {exc}"
        if where is None and not isinstance(exc, (jinja2.TemplateError, SiteError)):
            return None
    if page:
        message += f" (page {page})"
    if where is None:
        return TemplateError(message)
    return TemplateError(message, path=display_path(where[0]), line=where[1])


def _innermost_template_line(tb: TracebackType | None) -> tuple[str, int] | None:
    """The last frame of a traceback that Jinja rewrote to point into a template file."""
    found = None
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:  # jinja2.debug.fake_traceback's frames
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def display_path(filename: str) -> str:
    """A template's file as the writer knows it: relative to the current folder when under it."""
    try:
        return Path(filename).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return filename
