"""`import-transcript` on the subtitle files people really have (issue 22), through the CLI:
one fixture per defect in tests/fixtures/subtitle-defects/ (see its SOURCE.md), and webvtt-py's
real rolling captions."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from lecun_site.content.transcripts import parse_transcript
from lecun_site.errors import Problems

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEFECTS = FIXTURES / "subtitle-defects"


def turns_of(markdown: str) -> list[tuple[str | None, str]]:
    """(time, text) of each turn of a written transcript, read back with the loader."""
    problems = Problems()
    transcript = parse_transcript("x.en.md", markdown, problems=problems, slug="x", lang="en")
    assert not problems.errors, [p.format() for p in problems.errors]
    return [(t.start, t.text) for t in transcript.turns]


@pytest.mark.parametrize("path", [DEFECTS / "broken-header.vtt", DEFECTS / "empty.srt", DEFECTS / "prose.srt",
                                  FIXTURES / "webvtt-py" / "no_captions.vtt", FIXTURES / "webvtt-py" / "empty.vtt"],
                         ids=lambda p: p.name)
def test_a_file_without_cues_is_an_error_and_nothing_is_written(path, minimal_site, cli):
    result = cli("import-transcript", path, "--content", minimal_site, "--lang", "en", "--slug", "nothing")
    assert result.code == 1
    assert f"{path}:1: no subtitle cues found" in result.err
    assert "nothing was written" in result.err and "Traceback" not in result.err
    assert not (minimal_site / "transcripts" / "nothing.en.md").exists()


@pytest.mark.parametrize("codec, bom", [("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE),
                                        ("utf-16-le", codecs.BOM_UTF16_LE)])
def test_utf32_and_utf16_with_a_bom_read_as_utf8_does(tmp_path, cli, codec, bom):
    text = (DEFECTS / "film-repeats.srt").read_text(encoding="utf-8")
    wide = tmp_path / f"wide.{codec}.srt"
    wide.write_bytes(bom + text.replace("\n", "\r\n").encode(codec))
    expected = cli("import-transcript", DEFECTS / "film-repeats.srt", "--out", "-", "--lang", "en")
    result = cli("import-transcript", wide, "--out", "-", "--lang", "en")
    assert result.code == 0, result.err
    assert turns_of(result.out) == turns_of(expected.out) != []


def test_cues_past_99_hours_import_and_read_back(cli):
    result = cli("import-transcript", DEFECTS / "hundred-hours.srt", "--out", "-", "--lang", "en")
    assert result.code == 0, result.err
    assert "internal error" not in result.err
    written = result.out
    assert "[100:00:01]" in written or "[99:59:58]" in written
    times = [t for t, _ in turns_of(written) if t is not None]
    assert times[0] == 99 * 3600 + 59 * 60 + 58
    assert "A hundred hours in." in written and "And more." in written


def test_a_film_s_repeated_line_is_kept(cli):
    result = cli("import-transcript", DEFECTS / "film-repeats.srt", "--out", "-", "--lang", "en")
    assert result.code == 0, result.err
    text = " ".join(t for _, t in turns_of(result.out))
    assert text.count("Sorry.") == 2
    assert "dropped" not in result.err


def test_real_rolling_captions_are_written_once(cli):
    path = FIXTURES / "webvtt-py" / "youtube_dl.vtt"
    result = cli("import-transcript", path, "--out", "-", "--lang", "en")
    assert result.code == 0, result.err
    text = " ".join(t for _, t in turns_of(result.out))
    assert text.count("yeah") == 1 and text.count("what") == 1  # each cue repeats the one above
    assert "repeated caption cue(s) or line(s) dropped" in result.err


def test_a_malformed_cue_is_skipped_with_a_warning_unless_strict(minimal_site, cli):
    path = DEFECTS / "one-bad-cue.vtt"
    result = cli("import-transcript", path, "--out", "-", "--lang", "en")
    assert result.code == 0, result.err
    assert f"{path}:6: warning: malformed timecode '00:00:0x.000'" in result.err
    assert "the cue is skipped" in result.err
    text = " ".join(t for _, t in turns_of(result.out))
    assert "First cue." in text and "Third cue." in text and "malformed cue" not in text
    strict = cli("import-transcript", path, "--content", minimal_site, "--lang", "en", "--strict")
    assert strict.code == 1
    assert f"{path}:6: malformed timecode '00:00:0x.000'" in strict.err and "nothing was written" in strict.err
    assert not list((minimal_site / "transcripts").glob("one-bad-cue*"))


def test_speakerless_subtitles_split_at_pauses_keeping_their_times(tmp_path, cli):
    """1,350 cues of one unnamed voice: a pause over 2 s, or a sentence end once a paragraph has
    run 30 s, begins a new timed turn; nothing in between is split."""
    cues, ms = [], 0
    for n in range(1, 1351):
        start = ms
        end = start + 1500
        sentence_end = n % 4 == 0
        cues.append(f"{n}\n{stamp(start)} --> {stamp(end)}\nline {n}{'.' if sentence_end else ''}\n")
        ms = end + (3000 if n % 50 == 0 else 100)  # a long pause every 50 cues
    path = tmp_path / "lecture.srt"
    path.write_text("\n".join(cues), encoding="utf-8")
    result = cli("import-transcript", path, "--out", "-", "--lang", "en")
    assert result.code == 0, result.err
    turns = turns_of(result.out)
    assert 27 <= len(turns) <= 1350 // 4  # split at pauses and sentence ends, not at every cue
    assert all(time is not None for time, _ in turns)
    assert [t for t, _ in turns] == sorted(t for t, _ in turns)
    # every pause begins a turn, at the time of the cue after it
    starts = {time for time, _ in turns}
    for n in range(51, 1351, 50):
        assert any(text.startswith(f"line {n} ") or text == f"line {n}" for _, text in turns), n
    assert len(starts) == len(turns)
    longest = max(len(re.findall(r"line \d+", text)) for _, text in turns)
    assert longest <= 30 / 1.6 + 4  # about 30 s of cues at most, then the next sentence end


def stamp(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
