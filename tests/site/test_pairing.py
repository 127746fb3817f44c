"""Topic ids made from tags, and the file-name slugs they share a slugger with."""

import unicodedata

import pytest

from lecun_site.content.filenames import parse_file_name
from lecun_site.site.pairing import tag_slug


@pytest.mark.parametrize("tag, slug", [
    ("C++", "c-plus-plus"), ("C#", "c-sharp"), ("C", "c"), ("F#", "f-sharp"), (".NET", "dot-net"),
    ("R&D", "r-and-d"), ("café", "cafe"), (unicodedata.normalize("NFD", "café"), "cafe"), ("安装", "an-zhuang"),
    ("Machine Learning", "machine-learning"), ("深度学习 CNN", "shen-du-xue-xi-cnn"),
])
def test_tag_slugs_keep_meaning(tag, slug):
    assert tag_slug(tag) == slug


def test_a_tag_with_nothing_latin_left_gets_a_stable_id():
    assert tag_slug("🎉") == tag_slug("🎉") and tag_slug("🎉").startswith("tag-")


@pytest.mark.parametrize("name, folder, expected", [
    ("post.zh-cn.md", None, ("post", "zh", False)),
    ("post.en-US.md", None, ("post", "en", False)),
    ("post.zh_TW.markdown", None, ("post", "zh", False)),
    ("index.zh-hans.md", "my-bundle", ("my-bundle", "zh", False)),
    ("index.md", "my-bundle", ("my-bundle", None, False)),
    ("v1.2-release.md", None, ("v1-2-release", None, True)),
    ("node.js.md", None, ("node-js", None, True)),
    ("x.fr.md", None, ("x", "fr", False)),
    ("2016-04-19-welcome.md", None, ("welcome", None, False)),
])
def test_file_names(name, folder, expected):
    found = parse_file_name(name, folder)
    assert (found.slug, found.lang, found.derived) == expected


def test_hugo_section_pages_are_not_notes():
    assert parse_file_name("_index.zh-cn.md", "posts") is None
