"""`import-transcript` against reference parsers: webvtt-py for WebVTT, srt for SubRip.

Over a collection of varied subtitle files (webvtt-py's own test files, this project's, and
generated ones), wherever the reference parser reads a file, `import-transcript` must import it
too (exit 0) and every line of every cue's text must survive in the transcript it writes, in
order. A line may match where the line before it matched: rolling captions repeat lines that
the import rightly writes once. Lines that are only a number are left out (see reference_lines). Where the reference refuses a file, nothing is asserted here
(tests/importer/test_real_subtitles.py covers what the import says about broken files)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

srt = pytest.importorskip("srt")
webvtt = pytest.importorskip("webvtt")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def generated(tmp: Path) -> list[Path]:
    """Files no collection had: CRLF, Chinese, voices, long hours, a film's repeated lines."""
    files = {
        "crlf.srt": "1\r\n00:00:01,000 --> 00:00:02,000\r\nFirst line\r\nsecond line\r\n\r\n"
                    "2\r\n00:00:03,000 --> 00:00:04,500\r\nThird.\r\n",
        "chinese.vtt": "WEBVTT\n\n00:00.000 --> 00:02.000\n我从小就对智能着迷。\n\n00:02.500 --> 00:04.000\n后来去了贝尔实验室。\n",
        "voices.vtt": "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ada Lovelace>Hello there.\n\n"
                      "00:02.000 --> 00:03.000\n<v Alan Turing>Good <i>morning</i> &amp; welcome.\n",
        "hours.srt": "1\n99:59:58,000 --> 99:59:59,000\nAlmost.\n\n2\n100:00:01,000 --> 100:00:02,000\nPast a hundred.\n",
        "film.srt": "1\n00:00:01,000 --> 00:00:02,000\nSorry.\n\n2\n00:00:03,000 --> 00:00:04,000\nSorry.\n\n"
                    "3\n00:00:05,000 --> 00:00:06,000\n- Sorry?\n- Yes.\n",
        "speakers.srt": "1\n00:00:01,000 --> 00:00:02,000\nANDREW NG: So, Yann.\n\n"
                        "2\n00:00:02,500 --> 00:00:04,000\nYANN LECUN: Yes.\n",
    }
    paths = []
    for name, text in files.items():
        path = tmp / name
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


COLLECTION = sorted(p for folder in ("webvtt-py", "subtitles", "subtitle-defects") for p in (FIXTURES / folder).iterdir()
                    if p.suffix in (".vtt", ".srt"))


def normalise(line: str) -> str:
    """A cue line as a reader sees it: no tags, `{\\an8}` or entities, no leading dialogue dash or
    `>>`, spaces collapsed."""
    line = re.sub(r"\{\\[^{}]*\}", "", line)
    line = re.sub(r"<[^<>]*>", "", line)
    line = html.unescape(line).replace("\u00a0", " ")
    line = re.sub(r"^\s*(?:[-–—]{1,2}|>>+)\s+", "", line)
    line = re.sub(r"^\[\s*(SPEAKER[ _-]?\d{1,3})\s*\]\s*", r"\1: ", line)  # a machine label, as written
    return " ".join(line.split())


def reference_lines(path: Path) -> list[str] | None:
    """Every non-empty line of every cue, as the reference parser reads the file; None if it refuses."""
    try:
        if path.suffix == ".vtt":
            texts = [caption.raw_text if hasattr(caption, "raw_text") else caption.text for caption in webvtt.read(str(path))]
        else:
            texts = [sub.content for sub in srt.parse(path.read_bytes().decode("utf-8-sig"))]
    except Exception:  # the reference refuses the file: nothing to compare
        return None
    lines = [normalise(line) for text in texts for line in text.split("\n")]
    # A line that is only a number is a cue number to SubRip writers; where a timing line is
    # missing, srt reads it as text and the import as the number of a cue without a time.
    return [line for line in lines if line and not line.isdigit()]


def written_text(markdown: str) -> str:
    """The transcript's text as a reader sees it: no front matter, labels, times or escapes."""
    body = markdown.split("\n---\n", 1)[1]
    body = body.replace("[\\@", "[@").replace("]\\(", "](")
    body = re.sub(r"^\[\d+:\d{2}:\d{2}\] ", "", body, flags=re.M)
    body = re.sub(r"^\*\*([^*\n]*?)[:：]\*\* ?", r"\1: ", body, flags=re.M)
    return " ".join(body.split())


def survives_in_order(lines: list[str], text: str) -> tuple[bool, str]:
    """Each line found in `text`, at or after where the line before it was found."""
    position = 0
    for line in lines:
        found = text.find(line, position)
        if found < 0:
            return False, line
        position = found
    return True, ""


@pytest.mark.parametrize("path", COLLECTION, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_cue_the_reference_reads_survives_in_order(path, cli):
    check(path, cli)


def test_generated_files_survive_in_order(tmp_path, cli):
    for path in generated(tmp_path):
        check(path, cli)


def check(path: Path, cli) -> None:
    expected = reference_lines(path)
    if expected is None or not expected:
        return  # the reference reads no cue here; the import's own tests cover such files
    result = cli("import-transcript", path, "--out", "-", "--lang", "en")
    assert result.code == 0, f"{path.name}: the reference reads {len(expected)} lines, the import refuses:\n{result.err}"
    ok, missing = survives_in_order(expected, written_text(result.out))
    assert ok, f"{path.name}: {missing!r} is missing or out of order in\n{result.out}"


def test_the_collection_is_varied():
    """The comparison means something only while the references read most of the collection."""
    read = [p for p in COLLECTION if reference_lines(p)]
    assert len(read) >= 20 and any(p.suffix == ".srt" for p in read) and any(p.suffix == ".vtt" for p in read)
