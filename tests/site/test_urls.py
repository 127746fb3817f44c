"""urls.relative computes relative links on path segments (it runs hundreds of times per
page); it must give exactly what the general posixpath.relpath formula gives."""

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from lecun_site import urls


def reference(from_path: str, to_path: str, local: bool = False) -> str:
    target, hash_mark, fragment = to_path.partition("#")
    from_dir = from_path if from_path.endswith("/") else posixpath.dirname(from_path) + "/"
    if target == "":
        return "#" + fragment
    rel = posixpath.relpath(target, from_dir)
    if target.endswith("/"):
        rel = "./" if rel == "." else rel + "/"
        if local:
            rel = rel + "index.html" if rel != "./" else "index.html"
    return rel + (hash_mark + fragment if hash_mark else "")


segment = st.sampled_from(["zh", "en", "notes", "people", "a", "b", "x-1", "卷积", "static", "site.css", "..", ".", ""])
path = st.lists(segment, max_size=5).map(lambda parts: "/" + "/".join(parts)) | st.lists(segment, max_size=5).map(
    lambda parts: "/" + "".join(p + "/" for p in parts))


@given(path, path, st.sampled_from(["", "#turn-3", "#"]), st.booleans())
def test_relative_agrees_with_relpath(here, there, fragment, local):
    assert urls.relative(here, there + fragment, local) == reference(here, there + fragment, local)


def test_relative_examples():
    assert urls.relative("/zh/notes/a/", "/zh/people/b/") == "../../people/b/"
    assert urls.relative("/zh/notes/a/", "/zh/notes/a/#x") == "./#x"
    assert urls.relative("/zh/", "/static/site.css") == "../static/site.css"
    assert urls.relative("/zh/feed.xml", "/zh/") == "./"
    assert urls.relative("/", "/en/", local=True) == "en/index.html"
    assert urls.relative("/zh/notes/a/", "#top") == "#top"


@given(st.lists(st.tuples(path, path, st.sampled_from(["", "#turn-3"])), max_size=30), st.booleans())
def test_relative_remembered_across_pages_agrees(links, local):
    """urls.Relative shares what it computed between pages of one folder; every answer must be
    what `relative` gives for that page, whichever pages asked before."""
    shared = urls.Relative(local)
    for here, there, fragment in links:
        assert shared.for_page(here)(there + fragment) == urls.relative(here, there + fragment, local)


def test_relative_remembered_across_pages_examples():
    shared = urls.Relative()
    # the first answer is remembered for the folder /zh/notes/…
    assert shared.for_page("/zh/notes/a/")("/zh/people/b/") == "../../people/b/"
    assert shared.for_page("/zh/notes/c/")("/zh/people/b/") == "../../people/b/"
    # …but not where the target is in the page's own folder
    assert shared.for_page("/zh/notes/a/")("/zh/notes/a/#x") == "./#x"
    assert shared.for_page("/zh/notes/c/")("/zh/notes/a/#x") == "../a/#x"
    assert shared.for_page("/zh/notes/a/")("/zh/notes/ab/") == "../ab/"
    assert shared.for_page("/zh/notes/ab/")("/zh/notes/ab/") == "./"
    assert shared.for_page("/zh/feed.xml")("/static/site.css") == "../static/site.css"
    assert shared.for_page("/")("/en/") == "en/"
    shared.LIMIT = 2  # a full memory is emptied, not trusted past its bound
    for name in "defg":
        assert shared.for_page("/zh/notes/x/")(f"/zh/people/{name}/") == f"../../people/{name}/"
    assert len(shared._memo) <= 2
