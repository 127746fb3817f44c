"""render.LeanTemplateCode: templates call functions directly and write escaped text without
Markup objects, with the output Jinja's own code gives."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import jinja2
import pytest
from jinja2.compiler import CodeGenerator

import lecun_site
from hypothesis import given, strategies as st
from markupsafe import Markup, escape

from lecun_site.jinja_env import LeanTemplateCode, escape_output, make_environment

MACROS = """{% macro box(title, class_='box') -%}
<div class="{{ class_ }}">{{ title }}:{{ caller() if caller else '' }}</div>
{%- endmacro %}
{% macro plain(a, b=2) %}[{{ a }} {{ b }} {{ varargs|join(',') }} {{ kwargs|dictsort }}]{% endmacro %}"""

LAYOUT = """<title>{% block title %}{{ shout('base') }}{% endblock %}</title>
{% block main %}{% endblock %}
{{ self.title() }}"""

PAGE = """{% extends "layout.html" %}
{% from "macros.html" import box, plain %}
{% block title %}{{ super() }}/{{ shout(name) }}{% endblock %}
{% block main %}
{% set ns = namespace(total=0) %}
{% for item in items %}
  {% call box(item, class_="row") %}{{ loop.cycle('odd', 'even') }} {{ shout(item, times=loop.index) }}{% endcall %}
  {{ plain(item) }}{{ plain(*pair) }}{{ plain(1, 2, 3, 4, x=5, **extra) }}
  {% set ns.total = ns.total + counter.add(loop.index) %}
{% endfor %}
{{ ns.total }} {{ range(3)|list }} {{ dict(a=1)|dictsort }} {{ call_with(**{'class': 'kw', 'if': 'yes'}) }}
{{ "<b>" ~ shout('<i>') }} {{ fetch()['k'] }}
{% set block %}<{{ name }}>{{ safe_html }}{% endset %}{{ block }} {{ block|length }} {{ safe_html }} {{ 42 }} {{ none }}
{{ '"double" & ' ~ "'quoted'" }} {{ "中文 <標題>" }} {{ plain(safe_html) }} {{ with_html }} {{ name|upper }}
{% filter upper %}{{ name }} & {{ safe_html }}{% endfilter %}
{% endblock %}"""


class HasHtml:
    def __html__(self):
        return "<span>own html</span>"

    def __str__(self):
        return "<plain>"


class Counter:
    def __init__(self):
        self.count = 0

    def add(self, n):
        self.count += n
        return n


def render_with(generator: type[CodeGenerator]) -> tuple[str, str]:
    env = make_environment(Path("."))
    env.code_generator_class = generator
    env.loader = jinja2.DictLoader({"macros.html": MACROS, "layout.html": LAYOUT, "page.html": PAGE})
    html = env.get_template("page.html").render(
        name="<n>", items=["a", "<b>", "c"], pair=("p", "q"), extra={"y": 6}, counter=Counter(),
        shout=lambda text, times=1: (str(text) + "!") * times,
        call_with=lambda **kw: sorted(kw.items()), fetch=lambda: {"k": "v"},
        safe_html=Markup("<em>safe & sound</em>"), with_html=HasHtml())
    source = env.compile(PAGE, name="page.html", raw=True)
    return html, source


def test_direct_calls_render_what_jinjas_own_code_renders():
    direct, direct_source = render_with(LeanTemplateCode)
    stock, stock_source = render_with(CodeGenerator)
    assert "context.call(" in stock_source
    assert "context.call(" not in direct_source and "escape(" not in direct_source.replace("escape_output(", "")
    assert direct == stock
    assert "<em>safe & sound</em>" in direct and "&lt;plain&gt;" not in direct and "<span>own html</span>" in direct
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
    import lecun_site.render as render

    monkeypatch.setattr(render.PersonView, "greet", jinja2.pass_context(lambda context, self: ""), raising=False)
    with pytest.raises(AssertionError, match="PersonView.greet"):
        test_nothing_templates_can_call_asks_for_jinjas_context()
