"""The Jinja environment the renderer uses: safe output, and templates compiled to lean code.

`make_environment` sets Jinja up (autoescape on, StrictUndefined, the globals templates may
call); `LeanTemplateCode` and `escape_output` are the two speed-ups documented below.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from jinja2.compiler import CodeGenerator

from . import urls
from .records import format_timestamp


# markupsafe's C function behind `escape` (a plain str in, the escaped str out); where a
# markupsafe release no longer has it, the same through the public function
_escape_text = getattr(markupsafe, "_escape_inner", None) or (lambda text: str(markupsafe.escape(text)))


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

    tests/test_render.py renders templates full of calls and outputs with this and with
    Jinja's own code generator and compares."""

    def visit_Template(self, node: jinja2.nodes.Template, frame=None) -> None:
        self.writeline("from lecun_site.jinja_env import escape_output")
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


def make_environment(templates_dir: Path, bytecode_folder: Path | None = None,
                     reload_templates: bool = True) -> jinja2.Environment:
    """Jinja set up for safe output; with `bytecode_folder`, compiled templates are kept there
    between runs (Jinja checks each against its template's source before using it). Without
    `reload_templates` (a build, whose templates do not change while it runs), a template once
    loaded is not checked against its file again: that is four `stat` calls a page, ~4% of
    rendering a note page. serve keeps one environment across edits and needs the checks."""
    bytecode_cache = None
    if bytecode_folder is not None:
        bytecode_folder.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(bytecode_folder))
    env = jinja2.Environment(
        bytecode_cache=bytecode_cache,
        auto_reload=reload_templates,
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.code_generator_class = LeanTemplateCode
    env.globals.update(urls=urls, media_link=urls.media_link, format_timestamp=format_timestamp)
    return env
