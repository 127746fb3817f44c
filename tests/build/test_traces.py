"""Traces made from scratch (compaction) keep every fragment a page shows, including those a
serve build reused instead of rendering them again."""

from lecun_site.build.core import Traces

NAV = ("_site_nav", "zh", ("topics",))
INNER = ("_inner", "zh", ())


def test_a_rendered_page_keeps_the_reused_fragments_it_shows():
    old = Traces.made_from("/out", [("a.html", "frame-a", {(("g",), ("a", "x")): 1}, (NAV,))],
                           {NAV: ({(("g",), ("a", "nav")): 2}, (INNER,)), INNER: ({(("g",), ("a", "in")): 3}, ())},
                           [], None)
    # serve renders b.html again; the nav it shows was reused, so this build rendered no fragment
    new = Traces.made_from("/out", [("b.html", "frame-b", {(("g",), ("a", "y")): 4}, (NAV,))], {}, [], old)
    assert set(new.fragments) == {NAV, INNER}
    assert new._reads(new.fragments[NAV].reads) == {(("g",), ("a", "nav")): 2}
    # and the next compaction, keeping b.html, finds them
    again = Traces.made_from("/out", [], {}, ["b.html"], new)
    assert set(again.fragments) == {NAV, INNER}
