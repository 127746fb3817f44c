"""Pictures and media, as a writer adds them: image files beside a note and in content/media/,
referred to from bodies and front matter, built through the CLI and checked."""

import io

import pytest
from conftest import soup
from PIL import Image

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150"><rect width="300" height="150"/></svg>'


def raster(kind: str, size=(400, 300)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(data, kind)
    return data.getvalue()


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(data, bytes) else lambda d: path.write_text(d, encoding="utf-8"))(data)


@pytest.fixture
def site(minimal_site):
    """The minimal site with a bundle note showing four kinds of picture."""
    bundle = minimal_site / "notes" / "pictures"
    write(bundle / "photo.jpg", raster("JPEG"))
    write(bundle / "chart.png", raster("PNG", (320, 200)))
    write(minimal_site / "media" / "diagram.svg", SVG)
    write(minimal_site / "media" / "still.webp", raster("WEBP", (640, 360)))
    write(minimal_site / "media" / "still.webp.yaml", "alt: {zh: 一帧画面, en: A still}\n"
          "caption: {zh: 纪录片的一帧, en: A frame of the film}\ncredit: {zh: 截图：本站, en: 'Still: this site'}\n")
    for lang, title in (("zh", "图片"), ("en", "Pictures")):
        write(bundle / f"index.{lang}.md",
              f"---\ntitle: {title}\nimage: {{src: photo.jpg, alt: {{zh: 封面, en: The cover}}, credit: CC BY 4.0}}\n---\n"
              "Text first.\n\n"
              '![A chart](chart.png "What it shows | Chart: the author")\n\n'
              "![The diagram](@/media/diagram.svg)\n\n"
              "![](@/media/still.webp)\n\n"
              "Inline ![dot](chart.png) too.\n")
    return minimal_site


def build(cli, content, out, *extra):
    result = cli("build", "--content", content, "--out", out, "--no-search", *extra)
    assert result.code == 0, result.err
    return result


def test_png_jpeg_svg_and_webp_appear_with_sizes_captions_and_credits(site, tmp_path, cli):
    out = tmp_path / "out"
    build(cli, site, out)
    page = soup(out / "en" / "notes" / "pictures" / "index.html")
    figures = page.select("article figure")
    images = {img["src"].rsplit("/", 1)[1]: img for img in page.select("article img")}
    assert set(images) == {"photo.jpg", "chart.png", "diagram.svg", "still.webp"}
    sizes = {name: (img.get("width"), img.get("height")) for name, img in images.items()}
    assert sizes == {"photo.jpg": ("400", "300"), "chart.png": ("320", "200"), "diagram.svg": ("300", "150"),
                     "still.webp": ("640", "360")}
    assert images["photo.jpg"]["alt"] == "The cover" and images["chart.png"]["alt"] in ("A chart", "dot")
    captions = [f.figcaption.get_text(" ", strip=True) for f in figures if f.figcaption]
    assert "What it shows Chart: the author" in captions
    assert "A frame of the film Still: this site" in captions  # from the sidecar
    assert images["still.webp"]["alt"] == "A still"
    assert page.select_one("figure.cover .credit").get_text() == "CC BY 4.0"
    assert not page.select("p > figure")  # a figure is never inside a paragraph
    assert page.select_one("p img[alt=dot]") is not None  # an inline picture stays in its line
    # each image published once, under /media/, and both languages point at the same file
    assert (out / "media" / "notes" / "pictures" / "photo.jpg").read_bytes() == (site / "notes" / "pictures" / "photo.jpg").read_bytes()
    assert (out / "media" / "diagram.svg").is_file() and (out / "media" / "still.webp").is_file()
    zh = soup(out / "zh" / "notes" / "pictures" / "index.html")
    assert {img["src"].rsplit("/", 1)[1] for img in zh.select("article img")} == set(images)
    assert cli("check", "--out", out).code == 0


@pytest.mark.parametrize("where, text, line", [
    ("body", "Text.\n\n![Gone](missing.png)\n", 6),  # line 6: after three of front matter and two of text
    ("front matter", None, 3),
])
def test_a_missing_picture_is_an_error_naming_file_and_line(site, tmp_path, cli, where, text, line):
    note = site / "notes" / "pictures" / "index.en.md"
    if text is None:
        note.write_text(note.read_text(encoding="utf-8").replace("src: photo.jpg", "src: phot.jpg"), encoding="utf-8")
    else:
        note.write_text("---\ntitle: Pictures\n---\n" + text, encoding="utf-8")
    result = cli("build", "--content", site, "--out", tmp_path / "out", "--no-search")
    assert result.code == 1 and "Traceback" not in result.err
    missing = "missing.png" if text else "phot.jpg"
    assert f"notes/pictures/index.en.md:{line}: image '{missing}' not found" in result.err, result.err
    if text is None:
        assert "did you mean 'photo.jpg'" in result.err
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_its_image_is_an_error(site, tmp_path, cli):
    write(site / "media" / "fake.png", b"GIF89a not a png at all")
    result = cli("build", "--content", site, "--out", tmp_path / "out", "--no-search")
    assert result.code == 1 and "media/fake.png: not a readable PNG image" in result.err


def test_a_large_jpeg_gets_smaller_copies_in_srcset(site, tmp_path, cli):
    write(site / "media" / "big.jpg", raster("JPEG", (2400, 1600)))
    note = site / "notes" / "pictures" / "index.en.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n![Big](@/media/big.jpg)\n", encoding="utf-8")
    out = tmp_path / "out"
    build(cli, site, out)
    img = soup(out / "en" / "notes" / "pictures" / "index.html").select_one("img[alt=Big]")
    assert (img["width"], img["height"]) == ("2400", "1600") and img["sizes"]
    candidates = [entry.split() for entry in img["srcset"].split(", ")]
    assert [w for _, w in candidates] == ["480w", "960w", "1600w", "2400w"]
    for url, width in candidates:
        path = (out / "en" / "notes" / "pictures" / url).resolve()
        with Image.open(path) as copy:
            assert copy.format == "JPEG" and copy.width == int(width[:-1])
            assert abs(copy.height - copy.width * 2 / 3) <= 1  # the same shape
    assert cli("check", "--out", out).code == 0
    # kept between builds: not made again
    kept = out.parent / ".out.cache" / "assets" / "variants"
    made = {p.name: p.stat().st_mtime_ns for p in kept.iterdir()}
    build(cli, site, out, "--drafts")
    assert {p.name: p.stat().st_mtime_ns for p in kept.iterdir()} == made


def test_portraits_and_event_pictures(site, tmp_path, cli):
    write(site / "people" / "ada-lovelace.jpg", raster("JPEG", (300, 400)))
    person = site / "people" / "ada-lovelace.yaml"
    person.write_text(person.read_text(encoding="utf-8") + "image: {src: ada-lovelace.jpg, alt: {zh: 洛芙莱斯像, en: "
                      "Portrait of Ada Lovelace}, credit: Public domain}\n", encoding="utf-8")
    events = site / "timeline" / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace(
        "  notes: [intro]\n", "  notes: [intro]\n  image: ../media/diagram.svg\n", 1), encoding="utf-8")
    out = tmp_path / "out"
    build(cli, site, out)
    portrait = soup(out / "en" / "people" / "ada-lovelace" / "index.html").select_one("figure.portrait img")
    assert portrait["alt"] == "Portrait of Ada Lovelace" and (portrait["width"], portrait["height"]) == ("300", "400")
    timeline = soup(out / "zh" / "timeline" / "index.html")
    assert timeline.select_one("#ev-1843-notes figure.event-picture img")["src"].endswith("media/diagram.svg")
    assert cli("check", "--out", out).code == 0



# ---------------------------------------------------------------- in a real browser

VIDEO_HOSTS = ("youtube.com", "youtube-nocookie.com", "ytimg.com", "googlevideo.com", "bilibili.com", "hdslb.com")


@pytest.mark.parametrize("url, host", [("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube-nocookie.com"),
                                       ("https://www.bilibili.com/video/BV1xx411c7mD", "player.bilibili.com")])
def test_a_video_loads_nothing_from_its_host_until_the_reader_clicks(site, tmp_path, cli, page, static_server,
                                                                       url, host):
    note = site / "notes" / "pictures" / "index.en.md"
    note.write_text(note.read_text(encoding="utf-8").replace("title: Pictures\n", f"title: Pictures\nvideo: {url}\n"),
                    encoding="utf-8")
    out = tmp_path / "out"
    build(cli, site, out)
    requests = []
    # nothing leaves this machine: requests to the video hosts are noted, then refused
    page.route("**/*", lambda route: (requests.append(route.request.url),
                                      route.abort() if "127.0.0.1" not in route.request.url else route.continue_()))
    page.goto(static_server(out) + "en/notes/pictures/")
    page.wait_for_load_state("networkidle")
    assert not [r for r in requests if any(h in r for h in VIDEO_HOSTS)], requests
    assert page.locator(".video iframe").count() == 0
    page.click(".video .video-open")
    frame = page.locator(".video iframe")
    frame.wait_for(timeout=5000)
    assert host in frame.get_attribute("src") and frame.get_attribute("title")
    page.wait_for_timeout(300)
    assert [r for r in requests if host in r]  # now, and only now, the player is asked for


def test_pictures_do_not_shift_the_page_while_they_load(site, tmp_path, cli, page, static_server):
    write(site / "media" / "big.jpg", raster("JPEG", (2400, 1600)))
    note = site / "notes" / "pictures" / "index.en.md"
    note.write_text(note.read_text(encoding="utf-8").replace("Text first.", "Text first.\n\n![Big](@/media/big.jpg)"),
                    encoding="utf-8")
    out = tmp_path / "out"
    build(cli, site, out)
    slow = []

    def delay_images(route):  # pictures arrive after the text, as on a slow connection
        if route.request.resource_type == "image":
            slow.append(route.request.url)
            page.wait_for_timeout(400)
        route.continue_()

    page.route("**/*", delay_images)
    page.add_init_script("""window.__shift = 0; new PerformanceObserver(list => { for (const e of list.getEntries())
        if (!e.hadRecentInput) window.__shift += e.value; }).observe({type: 'layout-shift', buffered: true});""")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(static_server(out) + "en/notes/pictures/")
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelectorAll('img').forEach(i => i.scrollIntoView())")
    page.wait_for_timeout(600)
    assert slow  # the pictures did load late
    assert page.evaluate("document.querySelector('img[alt=Big]').currentSrc").endswith("-960w.jpg") or \
        page.evaluate("document.querySelector('img[alt=Big]').currentSrc").endswith("-480w.jpg")  # a phone takes a copy
    assert page.evaluate("window.__shift") < 0.01
