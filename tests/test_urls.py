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
