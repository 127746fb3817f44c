"""jinja_env.LeanTemplateCode: templates call functions directly and write escaped text without
Markup objects, with the output Jinja's own code gives."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2.compiler import CodeGenerator
from markupsafe import Markup, escape

import lecun_site
from lecun_site.render.jinja_env import (
    PROBE_TEMPLATES,
    LeanTemplateCode,
    escape_output,
    make_environment,
    render_probe,
)


def render_with(generator: type[CodeGenerator]) -> tuple[str, str]:
    """jinja_env's probe page (the one its start-up check renders) with `generator`: the page
    and the page template's compiled source."""
    html, _ = render_probe(generator)
    env = make_environment(Path("."))
    env.code_generator_class = generator
    return html, env.compile(PROBE_TEMPLATES["page.html"], name="page.html", raw=True)


def test_direct_calls_render_what_jinjas_own_code_renders():
    direct, direct_source = render_with(LeanTemplateCode)
    stock, stock_source = render_with(CodeGenerator)
    assert "context.call(" in stock_source
    assert "context.call(" not in direct_source and "escape(" not in direct_source.replace("escape_output(", "")
    assert direct == stock
    assert "<em>safe & sound</em>" in direct and "<span>own html</span>" in direct
    assert direct.count("&lt;plain&gt;") == 1  # only where `~` makes a str of it: written, its __html__ is used
    assert "&#34;double&#34; &amp; &#39;quoted&#39;" in direct and "中文 &lt;標題&gt;" in direct
    assert "a!" in direct and "&lt;b&gt;!&lt;b&gt;!" in direct and "row" in direct  # escaped, with loop.index


@given(st.one_of(st.text(), st.integers(), st.none(), st.builds(Markup, st.text())))
def test_escape_output_is_markupsafes_escape_as_a_plain_string(value):
    assert escape_output(value) == str(escape(value))
    assert type(escape_output(value)) is str or isinstance(value, Markup)


def test_the_sites_environment_compiles_direct_calls():
    env = make_environment(Path("."))
    assert "context.call(" not in env.compile("{{ f(1, x=2) }}", raw=True)


def test_a_missing_function_still_fails_as_undefined():
    env = make_environment(Path("."))
    with pytest.raises(jinja2.UndefinedError, match="nothing"):
        env.from_string("{{ nothing(1) }}").render()
    with pytest.raises(jinja2.UndefinedError, match="missing"):
        env.from_string("{{ page.missing() }}").render(page=object())


def _marked(value) -> bool:
    return getattr(value, "jinja_pass_arg", None) is not None


def test_nothing_templates_can_call_asks_for_jinjas_context():
    """LeanTemplateCode relies on this: a callable marked with pass_context (or pass_environment,
    pass_eval_context) would get its arguments shifted. Templates reach the environment's
    globals and objects of this package (views, records, the graph), so both are searched."""
    env = make_environment(Path("."))
    found = [name for name, value in env.globals.items() if _marked(value)]
    modules = [importlib.import_module(info.name)
               for info in pkgutil.walk_packages(lecun_site.__path__, "lecun_site.")
               if info.name not in ("lecun_site.__main__",)]
    assert len(modules) > 15
    for module in modules:
        for name, value in vars(module).items():
            if _marked(value):
                found.append(f"{module.__name__}.{name}")
            if inspect.isclass(value) and value.__module__ == module.__name__:
                for attribute, member in vars(value).items():
                    if _marked(member) or _marked(getattr(member, "fget", None)):
                        found.append(f"{module.__name__}.{name}.{attribute}")
    assert found == []


def test_the_search_finds_a_marked_callable(monkeypatch):
    """The test above can fail: a view method marked pass_context is found."""
    import lecun_site.render.page as render

    monkeypatch.setattr(render.PersonView, "greet", jinja2.pass_context(lambda context, self: ""), raising=False)
    with pytest.raises(AssertionError, match="PersonView.greet"):
        test_nothing_templates_can_call_asks_for_jinjas_context()
