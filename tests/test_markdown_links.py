"""The shortcut for plain internal links gives what markdown-it itself would."""

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from lecun_site import markdown

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
