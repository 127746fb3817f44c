"""The tool as someone else installs it: a wheel built from this repository, installed (not
editable) in a fresh virtual environment, run in an empty folder far from the checkout."""

import os
import re
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the venv's bin folder, the wheel): the wheel's own dependencies come from this test
    environment's site-packages (a .pth line), so nothing is downloaded; lecun_site itself
    comes only from the wheel."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(base / "dist")], check=True, capture_output=True)
    [wheel] = (base / "dist").glob("lecun_site-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return venv / "bin", wheel


def run(bin_dir, *args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(bin_dir / "lecun-site"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def test_the_wheel_carries_the_default_theme(installed):
    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {f"lecun_site/theme/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
             for p in (ROOT / "templates").rglob("*") if p.is_file()}
    theme |= {f"lecun_site/theme/static/{p.relative_to(ROOT / 'static').as_posix()}"
              for p in (ROOT / "static").rglob("*") if p.is_file()}
    assert theme <= names
    assert {"lecun_site/i18n/zh.yaml", "lecun_site/starter/content/site.yaml"} <= names


def test_new_site_build_check_from_the_installed_wheel(installed, tmp_path):
    bin_dir, _ = installed
    where = subprocess.run([str(bin_dir / "python"), "-c", "import lecun_site; print(lecun_site.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path).stdout
    assert str(bin_dir.parent) in where and str(ROOT) not in where  # not the checkout
    assert run(bin_dir, "--version", cwd=tmp_path).stdout.startswith("lecun-site ")
    assert run(bin_dir, "new", "site", "mysite", cwd=tmp_path).returncode == 0
    site = tmp_path / "mysite"
    built = run(bin_dir, "build", "--no-search", cwd=site)
    assert built.returncode == 0, built.stderr
    checked = run(bin_dir, "check", cwd=site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (site / "_site" / "static" / "site.css").read_bytes() == (ROOT / "static" / "site.css").read_bytes()


def test_overrides_from_the_installed_wheel(installed, tmp_path):
    bin_dir, _ = installed
    run(bin_dir, "new", "site", "s", cwd=tmp_path)
    site = tmp_path / "s"
    (site / "templates").mkdir()
    (site / "templates" / "person.html").write_text(
        '{% extends "default:person.html" %}{% block main %}<p id="mine">x</p>{{ super() }}{% endblock %}',
        encoding="utf-8")
    (site / "static").mkdir()
    (site / "static" / "extra.css").write_text("p{}", encoding="utf-8")
    built = run(bin_dir, "build", "--no-search", cwd=site)
    assert built.returncode == 0, built.stderr
    out = site / "_site"
    assert 'id="mine"' in (out / "en" / "people" / "example-person" / "index.html").read_text(encoding="utf-8")
    assert 'id="mine"' not in (out / "en" / "topics" / "example-topic" / "index.html").read_text(encoding="utf-8")
    assert {"extra.css", "site.css", "search.js", "favicon.svg"} <= {p.name for p in (out / "static").iterdir()}
    (site / "templates" / "person.html").write_text("{% if %}", encoding="utf-8")
    broken = run(bin_dir, "build", "--no-search", cwd=site)
    assert broken.returncode == 1 and "templates/person.html:1: template syntax error" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_serve_from_the_installed_wheel(installed, tmp_path):
    bin_dir, _ = installed
    run(bin_dir, "new", "site", "s", cwd=tmp_path)
    log = tmp_path / "serve.log"
    proc = subprocess.Popen([str(bin_dir / "lecun-site"), "serve", "--port", "0", "--no-search"], cwd=tmp_path / "s",
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not (match := re.search(r"at (http://127\.0\.0\.1:\d+/)", log.read_text(encoding="utf-8"))):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.1)
        with urllib.request.urlopen(match[1] + "en/") as response:
            assert "Start here" in response.read().decode("utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0


def test_pictures_from_the_installed_wheel(installed, tmp_path):
    import io

    from PIL import Image

    bin_dir, _ = installed
    run(bin_dir, "new", "site", "s", cwd=tmp_path)
    content = tmp_path / "s" / "content"
    for name, kind, size in (("photo.jpg", "JPEG", (1600, 900)), ("chart.png", "PNG", (300, 200)),
                             ("still.webp", "WEBP", (640, 360))):
        data = io.BytesIO()
        Image.new("RGB", size, (40, 90, 160)).save(data, kind)
        (content / ("media" if kind == "WEBP" else "notes") / name).write_bytes(data.getvalue())
    note = content / "notes" / "welcome.en.md"
    note.write_text(note.read_text(encoding="utf-8").replace("## Citing sources", "![A photo](photo.jpg \"Caption | "
                    "Credit\")\n\n![A chart](chart.png)\n\n![A still](@/media/still.webp)\n\n## Citing sources"),
                    encoding="utf-8")
    built = run(bin_dir, "build", "--no-search", cwd=tmp_path / "s")
    assert built.returncode == 0, built.stderr
    checked = run(bin_dir, "check", cwd=tmp_path / "s")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    html = (tmp_path / "s" / "_site" / "en" / "index.html").read_text(encoding="utf-8")
    for fragment in ('width="1600" height="900"', "photo-960w.jpg 960w", 'alt="A chart"', "still.webp",
                     "timeline-sketch.svg", '<span class="credit">Credit</span>'):
        assert fragment in html, fragment
    (content / "notes" / "chart.png").unlink()
    broken = run(bin_dir, "build", "--no-search", cwd=tmp_path / "s")
    assert broken.returncode == 1 and "welcome.en.md:" in broken.stderr and "image 'chart.png' not found" in broken.stderr
