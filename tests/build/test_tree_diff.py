"""The account conftest gives of two unequal trees of built files: which files, and where."""

from conftest import describe_tree_difference


def test_it_names_every_kind_of_difference_and_shows_the_first_changed_line():
    left = {"en/index.html": b"<p>one</p>\n<p>two</p>\n", "same.css": b"x", "gone.html": b"old"}
    right = {"en/index.html": b"<p>one</p>\n<p>TWO</p>\n", "same.css": b"x", ".pagefind-1/a.json": b"{}"}
    lines = describe_tree_difference(left, right)
    assert lines[0] == "two trees of 3 and 3 files: 1 differ, 1 only on the left, 1 only on the right"
    assert "  only left: gone.html" in lines and "  only right: .pagefind-1/a.json" in lines
    assert "  differs: en/index.html" in lines
    assert "-<p>two</p>" in lines and "+<p>TWO</p>" in lines and "same.css" not in "\n".join(lines)


def test_it_stays_short_however_large_the_pages():
    page = "".join(f"<p>line {i}</p>\n" for i in range(5000)).encode()
    left = {f"p{i}.html": page for i in range(200)}
    right = {k: v.replace(b"line 7", b"LINE 7") for k, v in left.items()}
    lines = describe_tree_difference(left, right)
    assert len(lines) < 60 and max(map(len, lines)) <= 300
