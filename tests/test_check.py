"""`lecun-site check` follows every kind of URL a built site holds, on a small site written by hand."""

import pytest

BASE = "https://user.github.io/repo/"

GOOD_PAGE = f"""<!doctype html><html lang="en"><head>
<link rel="canonical" href="{BASE}">
<link rel="alternate" hreflang="zh" href="{BASE}zh/">
<meta property="og:url" content="{BASE}">
<link rel="stylesheet" href="static/site.css">
<style>body {{ background: url("static/bg.png") }}</style>
</head><body>
<img src="static/a.png" srcset="static/a.png 1x, static/a-2x.png 2x" alt="">
<picture><source srcset="static/a.webp 640w" type="image/webp"><img src="static/a.png" alt=""></picture>
<p style="background-image: url('static/bg.png')">x</p>
<a href="{BASE}zh/#top">zh</a> <a href="https://elsewhere.example/x">away</a>
<a href="https://user.github.io/other-repo/">another site at the same address</a>
</body></html>"""

FILES = {
    "index.html": GOOD_PAGE,
    "zh/index.html": f'<!doctype html><html lang="zh"><head><link rel="canonical" href="{BASE}zh/"></head>'
                     '<body id="top"></body></html>',
    "static/site.css": "h1 { background: url(bg.png) } .x { background: url('data:image/png;base64,AA') }",
    "static/bg.png": "", "static/a.png": "", "static/a-2x.png": "", "static/a.webp": "",
    "sitemap.xml": f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                   f'xmlns:xhtml="http://www.w3.org/1999/xhtml"><url><loc>{BASE}</loc>'
                   f'<xhtml:link rel="alternate" hreflang="zh" href="{BASE}zh/"/></url></urlset>',
    "en/feed.xml": f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
                   f'<link href="{BASE}en/feed.xml" rel="self"/><entry><link href="{BASE}zh/"/></entry></feed>',
}


@pytest.fixture
def site(tmp_path):
    for rel, text in FILES.items():
        path = tmp_path / "out" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "out"


def test_a_sound_site_passes(site, cli):
    result = cli("check", "--out", site)
    assert result.code == 0, result.err


@pytest.mark.parametrize("file, old, new, reported", [
    ("index.html", f'hreflang="zh" href="{BASE}zh/"', f'hreflang="zh" href="{BASE}zh-cn/"', f"index.html: {BASE}zh-cn/"),
    ("index.html", "static/a-2x.png 2x", "static/a-3x.png 3x", "index.html: static/a-3x.png"),
    ("index.html", "static/a.webp 640w", "static/b.webp 640w", "index.html: static/b.webp"),
    ("index.html", 'url("static/bg.png")', 'url("static/gone.png")', "index.html: static/gone.png"),
    ("index.html", "url('static/bg.png')", "url('static/inline.png')", "index.html: static/inline.png"),
    ("index.html", f'<a href="{BASE}zh/#top">', f'<a href="{BASE}zh/#nowhere">', f"index.html: {BASE}zh/#nowhere"),
    ("index.html", f'content="{BASE}"', f'content="{BASE}en/"', f"index.html: {BASE}en/"),
    ("static/site.css", "url(bg.png)", "url(missing.png)", "static/site.css: missing.png"),
    ("sitemap.xml", f"<loc>{BASE}</loc>", f"<loc>{BASE}old/</loc>", f"sitemap.xml: {BASE}old/"),
    ("sitemap.xml", f'href="{BASE}zh/"', f'href="{BASE}cn/"', f"sitemap.xml: {BASE}cn/"),
    ("en/feed.xml", f'<entry><link href="{BASE}zh/"/>', f'<entry><link href="{BASE}gone/"/>', f"en/feed.xml: {BASE}gone/"),
    ("index.html", '<a href="https://elsewhere.example/x">', '<a href="/other/">',
     "index.html: /other/: outside the site's base path /repo/"),
])
def test_each_kind_of_broken_url_is_reported_with_its_file(site, cli, file, old, new, reported):
    path = site / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = cli("check", "--out", site)
    assert result.code == 1
    assert any(line.startswith(reported) for line in result.err.splitlines()), result.err
