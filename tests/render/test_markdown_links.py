"""The shortcut for plain internal links gives what markdown-it itself would."""

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from lecun_site.render import markdown

PLAIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_./#-", max_size=40)
ANY = st.text(alphabet=st.sampled_from(list("abz09_./#-?%&=:;@!~*'() \\\"<>[]{}|^`") + ["é", "中", "\u00a0"]),
              max_size=30)


@given(PLAIN)
@settings(max_examples=400, deadline=None)
def test_plain_internal_links_are_already_normal(rest):
    url = "@/" + rest
    assert markdown._PLAIN_INTERNAL.fullmatch(url)
    assert markdown._MD.normalizeLink(url) == MarkdownIt().normalizeLink(url)


@given(ANY)
@settings(max_examples=400, deadline=None)
def test_every_internal_link_normalizes_as_markdown_it_does(rest):
    url = "@/" + rest
    assert markdown._MD.normalizeLink(url) == MarkdownIt().normalizeLink(url)


def test_links_with_special_characters_still_take_markdown_its_path():
    for url in ("@/notes/a b", "@/notes/中文", "@/notes/a%20b", "@/notes/x?y=1", "@/people/o'neil"):
        assert not markdown._PLAIN_INTERNAL.fullmatch(url)
    html = markdown._MD.render("[x](@/notes/中文)")
    assert "%E4%B8%AD%E6%96%87" in html  # percent-encoded, as markdown-it does


def _without_shortcut() -> MarkdownIt:
    md = markdown._make_md()
    md.inline.ruler.disable("plain_internal_link")
    return md


PLAIN_MD = _without_shortcut()
LABEL = st.text(alphabet=st.sampled_from(list("ab Z9-:#$%+=@^{}>().,'\"") + ["中", "文", "é", "\\", "`", "~", "*", "_",
                                                                               "!", "<", "&", "[", "]", "\n"]),
                max_size=12)
TARGET = st.text(alphabet=st.sampled_from(list("abz09_./#-") + [" ", "(", ")", "中", "%", "<", ">", '"']), max_size=12)
PIECE = st.one_of(
    st.builds(lambda label, target: f"[{label}](@/{target})", LABEL, TARGET),
    st.builds(lambda label, target: f"![{label}](@/{target})", LABEL, TARGET),
    st.builds(lambda label, target: f'[{label}](@/{target} "title")', LABEL, TARGET),
    st.builds(lambda label, target: f"[{label}]( @/{target} )", LABEL, TARGET),
    st.builds(lambda label: f"[{label}]", LABEL),
    st.sampled_from(["*", "**", "_", "`", "~~", "[", "]", "(", ")", "\\", "\n", "\n\n", " ", "text", "中文", "&amp;",
                     "<b>", "[@source]", "[@source, turn-3]", "> ", "- ", "# ", "[ref]: @/notes/a\n", "[ref]"]),
)


@given(st.lists(PIECE, max_size=12).map("".join))
@settings(max_examples=1500, deadline=None)
def test_the_plain_link_shortcut_renders_what_markdown_it_renders(document):
    assert markdown._MD.render(document) == PLAIN_MD.render(document)


def test_the_plain_link_shortcut_takes_the_common_links_and_leaves_the_rest():
    common = "[Marie Laurent](@/people/marie-laurent) 与 [卷积网络](@/topics/cnn#history)"
    assert markdown._MD.parse(common) and markdown._MD.render(common) == PLAIN_MD.render(common)
    for text in ("[*em*](@/a)", "[a](@/a \"t\")", "[a\\]](@/a)", "[a](@/a b)", "[a &amp; b](@/a)"):
        assert not markdown._PLAIN_LINK.match(text) or not markdown._PLAIN_LINK.match(text).end() == len(text)
        assert markdown._MD.render(text) == PLAIN_MD.render(text)
    for text in ("[[nested](@/b)](@/a)", "*[a](@/b)*", "[outer [inner](@/b) text](@/a)", "`[a](@/b)`"):
        assert markdown._MD.render(text) == PLAIN_MD.render(text)
