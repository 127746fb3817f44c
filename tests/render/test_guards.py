"""jinja_env's guard: the lean template code is used only where a check at start-up finds that
it renders as Jinja's own code with the Jinja and markupsafe installed, and
LECUN_SITE_PLAIN_JINJA=1 switches it off. Either way the pages are the same bytes."""

from __future__ import annotations

import warnings
from pathlib import Path

import jinja2
import markupsafe
import pytest
from conftest import tree_bytes
from jinja2.compiler import CodeGenerator

from lecun_site.render import jinja_env
from lecun_site.render.jinja_env import LeanTemplateCode, make_environment

CHECK = jinja_env.lean_code_problem


@pytest.fixture(autouse=True)
def fresh_check(monkeypatch):
    """Each test checks again (the check runs once a process), and what a failed check switches
    (the escape function) comes back after it."""
    monkeypatch.setattr(jinja_env, "_escape_text", jinja_env._escape_text)
    monkeypatch.delenv(jinja_env.PLAIN_JINJA_VARIABLE, raising=False)
    CHECK.cache_clear()
    yield
    CHECK.cache_clear()


def without_escape_inner(monkeypatch):
    """As jinja_env sees a markupsafe release without `_escape_inner` (removing it from this
    markupsafe would break its own `escape`)."""
    monkeypatch.setattr(jinja_env, "_private_escape", None)
    monkeypatch.setattr(jinja_env, "_escape_text", jinja_env._public_escape)


def probe_page(env: jinja2.Environment) -> str:
    """The probe page rendered by templates `env` compiles: as Jinja's own code renders it."""
    env.loader = jinja2.DictLoader(jinja_env.PROBE_TEMPLATES)
    html = env.get_template("page.html").render(jinja_env.probe_context())
    assert html == jinja_env.render_probe(CodeGenerator)[0]
    return html


# ------------------------------------------------------------------ the check passes here


def test_the_check_passes_with_the_installed_jinja_and_markupsafe():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert CHECK() is None
        env = make_environment(Path("."))
    assert env.code_generator_class is LeanTemplateCode
    assert "context.call(" not in env.compile("{{ f(1, x=2) }}", raw=True)
    assert jinja_env._escape_text is markupsafe._escape_inner  # the fast escape stays


def test_the_check_runs_once_a_process(monkeypatch):
    calls = []
    original = jinja_env._find_problem
    monkeypatch.setattr(jinja_env, "_find_problem", lambda: calls.append(1) or original())
    for _ in range(3):
        make_environment(Path("."))
    assert calls == [1]


def test_the_probe_renders_every_kind_of_output():
    """The probe is worth comparing: calls, caller, loops, filters, escaping of each kind."""
    html, template = jinja_env.render_probe(LeanTemplateCode)
    for expected in ("&lt;&amp;&#34;&#39;&gt;", "<em>safe & sound</em>", "<span>own html</span>", " None", " 42 ",
                     "3.5 -1 True", "<td>2=&lt;B&gt;&lt;b&gt;!</td>", "row", "&lt;b&gt;!&lt;b&gt;!", "中文 &lt;標題&gt;",
                     "<n> <n>! <em>safe & sound</em>", "base!/&lt;n&gt;!", "[(&#39;class&#39;, &#39;kw&#39;)"):
        assert expected in html, expected
    assert template.root_render_func.__globals__["escape_output"] is jinja_env.escape_output


# ------------------------------------------------------------------ the check fails: Jinja's own code


def quotes_unescaped(text: str) -> str:
    """A markupsafe whose private function no longer escapes quotes (the public one still does)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def signature_with_a_new_parameter(original):
    def signature(self, node, frame, extra_kwargs=None, new_option=None):
        return original(self, node, frame, extra_kwargs)

    return signature


ORIGINAL_VISIT_CALL = LeanTemplateCode.visit_Call


def calls_without_caller(self, node, frame, forward_caller=False):
    """Lean calls that forget `caller`: `{% call %}` blocks would come out empty."""
    return ORIGINAL_VISIT_CALL(self, node, frame, False)


BREAKAGES = {
    # a markupsafe release whose private function escapes differently
    "_escape_inner escapes differently": lambda m: m.setattr(jinja_env, "_escape_text", quotes_unescaped),
    # a markupsafe release without the private function
    "_escape_inner is gone": without_escape_inner,
    # a Jinja release whose private method takes other parameters (Jinja's own code still works)
    "CodeGenerator.signature changed": lambda m: m.setattr(
        CodeGenerator, "signature", signature_with_a_new_parameter(CodeGenerator.signature)),
    # a Jinja release whose frames or finalize no longer look as LeanTemplateCode expects
    "_output_child_pre fails": lambda m: m.setattr(
        LeanTemplateCode, "_output_child_pre", lambda self, node, frame, finalize: frame.no_such_attribute),
    # a Jinja release where the lean code renders something else: the probe renders apart
    "calls lose their caller": lambda m: m.setattr(LeanTemplateCode, "visit_Call", calls_without_caller),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_failed_check_falls_back_to_jinjas_own_code_and_warns_once(breakage, monkeypatch):
    BREAKAGES[breakage](monkeypatch)
    with pytest.warns(RuntimeWarning, match="lean template code does not render as Jinja's own") as caught:
        env = make_environment(Path("."))
    assert len(caught) == 1
    assert env.code_generator_class is CodeGenerator
    assert "context.call(" in env.compile("{{ f(1) }}", raw=True)
    assert jinja_env._escape_text is jinja_env._public_escape
    assert jinja_env.escape_output("<&\"'>") == "&lt;&amp;&#34;&#39;&gt;"
    probe_page(env)  # renders as Jinja's own code renders it
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once a process: no second warning
        assert make_environment(Path(".")).code_generator_class is CodeGenerator


def test_the_warning_says_what_differs(monkeypatch):
    monkeypatch.setattr(jinja_env, "_escape_text", quotes_unescaped)
    with pytest.warns(RuntimeWarning, match=r"jinja2 3\.\S+ and markupsafe 3\.\S+.*the probe template renders apart"):
        assert "renders apart from character" in CHECK()
    CHECK.cache_clear()
    monkeypatch.setattr(LeanTemplateCode, "visit_Call", calls_without_caller)
    with pytest.warns(RuntimeWarning, match="UndefinedError: No caller defined"):
        CHECK()
    CHECK.cache_clear()
    without_escape_inner(monkeypatch)
    with pytest.warns(RuntimeWarning, match="markupsafe._escape_inner is missing"):
        assert CHECK() == "markupsafe._escape_inner is missing"


# ------------------------------------------------------------------ the off switch


@pytest.mark.parametrize("value", ["1", "yes"])
def test_lecun_site_plain_jinja_switches_the_lean_code_off(value, monkeypatch):
    monkeypatch.setenv(jinja_env.PLAIN_JINJA_VARIABLE, value)
    monkeypatch.setattr(jinja_env, "lean_code_problem", lambda: pytest.fail("the check ran"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        env = make_environment(Path("."))
    assert env.code_generator_class is CodeGenerator
    assert jinja_env._escape_text is jinja_env._public_escape
    probe_page(env)


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_or_zero_switch_keeps_the_lean_code(value, monkeypatch):
    monkeypatch.setenv(jinja_env.PLAIN_JINJA_VARIABLE, value)
    assert make_environment(Path(".")).code_generator_class is LeanTemplateCode


def test_the_two_codes_are_cached_apart(tmp_path, monkeypatch):
    """A template compiled by one code generator and kept in the bytecode folder is not loaded
    by an environment that uses the other: the switch takes effect on the next build."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "t.html").write_text("{{ f(x) }} {{ x }}", encoding="utf-8")
    folder = tmp_path / "bytecode"

    def compiled_with_escape_output() -> bool:
        env = make_environment(templates, folder)
        template = env.get_template("t.html")
        assert template.render(f=str.upper, x="<a>") == "&lt;A&gt; &lt;a&gt;"
        return "escape_output" in template.root_render_func.__globals__

    assert compiled_with_escape_output()
    assert len(list(folder.iterdir())) == 1
    monkeypatch.setenv(jinja_env.PLAIN_JINJA_VARIABLE, "1")
    assert not compiled_with_escape_output()
    assert len(list(folder.iterdir())) == 2
    monkeypatch.delenv(jinja_env.PLAIN_JINJA_VARIABLE)
    assert compiled_with_escape_output()


def test_a_site_builds_to_the_same_bytes_with_either_code(minimal_site, tmp_path, cli, monkeypatch):
    """The site's own templates, on a small site: the pages are byte for byte the same."""
    used = []
    original = jinja_env.use_lean_code
    monkeypatch.setattr(jinja_env, "use_lean_code", lambda: used.append(original()) or used[-1])
    assert cli("build", "--content", minimal_site, "--out", tmp_path / "lean", "--no-search", "--no-cache").code == 0
    assert used and all(used)
    used.clear()
    monkeypatch.setenv(jinja_env.PLAIN_JINJA_VARIABLE, "1")
    assert cli("build", "--content", minimal_site, "--out", tmp_path / "plain", "--no-search", "--no-cache").code == 0
    assert used and not any(used)
    lean, plain = tree_bytes(tmp_path / "lean"), tree_bytes(tmp_path / "plain")
    assert len([name for name in lean if name.endswith(".html")]) > 20
    assert lean == plain
