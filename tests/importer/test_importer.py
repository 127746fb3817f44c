"""import-transcript: real-shaped subtitle and text files → turns, speakers and times; the command."""

from pathlib import Path

import pytest
from conftest import soup

from lecun_site.content.transcripts import parse_transcript
from lecun_site.errors import Problems
from lecun_site.importer.cues import ImportedHeading, parse_timecode
from lecun_site.importer.subtitles import (
    TranscriptMeta,
    _lang_from_name,
    _slug_from_name,
    render_transcript,
)
from lecun_site.importer.turns import parse_subtitles
from lecun_site.render.markdown import render_markdown

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "subtitles"


def load(name: str, known=(), strict=False):
    return parse_subtitles(name, (FIXTURES / name).read_bytes().decode("utf-8"), known=known, strict=strict)


def turns(imported):
    return [(t.label, t.start, t.text) for t in imported.turns]


def problems(imported):
    return [(p.line, p.severity, p.message) for p in imported.problems.items]


def test_fixtures_keep_their_bytes():
    """The CRLF and BOM cases only test something while the files really have them."""
    heroes = (FIXTURES / "heroes.en.srt").read_bytes()
    assert heroes.startswith(b"\xef\xbb\xbf1\r\n") and heroes.count(b"\r\n") == heroes.count(b"\n")
    assert b"\r\n" in (FIXTURES / "broken.srt").read_bytes()
    assert b"\r\n" in (FIXTURES / "dialogue.en.txt").read_bytes()
    assert (FIXTURES / "conversation.zh.txt").read_bytes().startswith(b"\xef\xbb\xbf# ")
    assert b"\n \n" in (FIXTURES / "rolling.vtt").read_bytes()


# ---------------------------------------------------------------- timecodes


@pytest.mark.parametrize("text, ms", [
    ("00:00:00,33", 330),          # a two-digit fraction is a decimal fraction of a second
    ("00:00:16,5", 16_500),
    ("00:00:04,000", 4_000),
    ("00:00:04.000", 4_000),
    ("01:02:03,450", 3_723_450),
    ("1:02:03.4", 3_723_400),
    ("02:03.456", 123_456),        # WebVTT MM:SS.mmm
    ("00:00:05", 5_000),
    ("100:00:00.000", 360_000_000),
])
def test_timecodes(text, ms):
    assert parse_timecode(text) == ms


@pytest.mark.parametrize("text", ["00:61:00,000", "00:00:61,000", "1:2", "00:00:01,0000", "00:00:0x,000", "", "12"])
def test_malformed_timecodes(text):
    assert parse_timecode(text) is None


# ---------------------------------------------------------------- SubRip


def test_srt_with_bom_crlf_styling_multiline_cues_and_labels():
    imported = load("heroes.en.srt")
    assert imported.format == "srt"
    assert turns(imported) == [
        (None, 0, "[Music]"),
        ("Andrew Ng", 4, "Welcome, Yann. You've been doing neural networks for a long time. How did you get started?"),
        ("Yann LeCun", 10, "I was always fascinated by the mystery of intelligence. I read a book about Piaget and Chomsky."),
        ("Andrew Ng", 16, "When was that?"),
        ("Yann LeCun", 18, "Around 1980."),
        ("Andrew Ng", 3723, "Thank you, Yann."),  # one cue, two dialogue dashes: two turns, one start
        ("Yann LeCun", 3723, "Thank you, Andrew."),
    ]
    assert [t.line for t in imported.turns] == [2, 6, 15, 25, 29, 33, 33]
    assert imported.labels == ["Andrew Ng", "Yann LeCun"]
    assert problems(imported) == []


def test_machine_labels_then_unlabelled_cues_continue_that_speaker():
    imported = load("diarized.en.srt")
    assert turns(imported) == [
        ("SPEAKER_00", 1, "Tell me about Bell Labs."),
        ("SPEAKER_01", 4, "It was a special place. We had the best people and the freedom to try things."),
        ("SPEAKER_00", 10, "And then?"),
        ("SPEAKER_01", 12, "Then AT&T split up."),
    ]
    assert problems(imported) == []


def test_malformed_timecodes_and_out_of_order_cues_are_errors_with_their_lines():
    imported = load("broken.srt", strict=True)  # without --strict a malformed cue is skipped (test_real_subtitles.py)
    found = problems(imported)
    assert [(line, severity) for line, severity, _ in found] == [
        (6, "error"), (14, "error"), (18, "error"), (22, "error"), (26, "error")]
    messages = [m for _, _, m in found]
    assert messages[0] == "malformed timing line '00:00:03,000 -> 00:00:04,000': the times must be separated by -->"
    assert messages[1] == "malformed timecode '00:00:61,000' in '00:00:61,000 --> 00:01:02,000'"
    assert messages[2] == "the cue starts at 00:00:04.500, before the cue above it (line 10, 00:00:05.000)"
    assert messages[3] == "the cue ends (00:00:06.000) before it starts (00:00:07.000)"
    assert messages[4] == "malformed timecode '00:00:0x,000' in '00:00:0x,000 --> 00:00:10,000'"
    assert all(p.hint for p in imported.problems.items)
    assert all(p.path == "broken.srt" for p in imported.problems.items)


def test_dialogue_dashes_and_chevrons_begin_turns_of_unknown_speakers():
    text = ("1\n00:00:01,000 --> 00:00:03,000\n- Where were you?\n- At Bell Labs.\n\n"
            "2\n00:00:03,000 --> 00:00:05,000\nWorking on zip codes.\n\n"
            "3\n00:00:06,000 --> 00:00:08,000\n>> NARRATOR: Years passed.\n\n"
            "4\n00:00:08,000 --> 00:00:09,000\n>> And then?\n")
    imported = parse_subtitles("dash.srt", text)
    assert turns(imported) == [
        (None, 1, "Where were you?"),
        (None, 1, "At Bell Labs. Working on zip codes."),
        ("NARRATOR", 6, "Years passed."),  # a label in capitals is believed even once
        (None, 8, "And then?"),
    ]


def test_cues_without_empty_lines_between_them_keep_their_text():
    text = "1\n00:00:01,000 --> 00:00:02,000\nHello\n2\n00:00:02,000 --> 00:00:03,000\nthere.\n"
    assert turns(parse_subtitles("tight.srt", text)) == [(None, 1, "Hello there.")]


def test_an_empty_line_inside_a_cue_joins_the_text_with_a_warning():
    text = "1\n00:00:01,000 --> 00:00:02,000\nFirst half\n\nsecond half.\n\n2\n00:00:03,000 --> 00:00:04,000\nNext.\n"
    imported = parse_subtitles("gap.srt", text)
    assert turns(imported) == [(None, 1, "First half second half. Next.")]
    assert problems(imported) == [
        (5, "warning", "text outside any cue (an empty line inside a cue?); joined to the cue above")]


def test_a_numbered_cue_without_a_timing_line_is_an_error_when_strict_else_joined():
    text = "1\n00:00:01,000 --> 00:00:02,000\nFine.\n\n2\nNo time here.\n"
    assert problems(parse_subtitles("x.srt", text, strict=True)) == [(6, "error", "cue 2 has no timing line")]
    assert problems(parse_subtitles("x.srt", text)) == [
        (6, "warning", "cue 2 has no timing line; its text is joined to the cue above")]
    assert turns(parse_subtitles("x.srt", text)) == [(None, 1, "Fine. No time here.")]


# ---------------------------------------------------------------- speaker labels


def test_a_name_used_once_as_a_label_stays_text_with_a_warning():
    text = ("1\n00:00:01,000 --> 00:00:02,000\nAda: Hello.\n\n2\n00:00:02,000 --> 00:00:03,000\n"
            "Note: the engine is slow.\n\n3\n00:00:03,000 --> 00:00:04,000\nAda: Indeed.\n")
    imported = parse_subtitles("x.srt", text)
    assert turns(imported) == [("Ada", 1, "Hello. Note: the engine is slow. Indeed.")]
    assert problems(imported) == [(7, "warning", "'Note:' looks like a speaker label but is used only once; kept as text")]
    assert imported.problems.items[0].hint == "if it is a speaker, pass --speaker 'Note=person-id'"
    known = parse_subtitles("x.srt", text, known=["Note"])
    assert turns(known) == [("Ada", 1, "Hello."), ("Note", 2, "the engine is slow."), ("Ada", 3, "Indeed.")]


def test_labels_given_on_the_command_line_match_in_brackets_and_with_any_case():
    text = ("1\n00:00:01,000 --> 00:00:02,000\n[host] Welcome.\n\n"
            "2\n00:00:02,000 --> 00:00:03,000\n杨立昆：谢谢。\n")
    assert turns(parse_subtitles("x.srt", text, known=["host", "杨立昆"])) == [
        ("host", 1, "Welcome."), ("杨立昆", 2, "谢谢。")]


def test_sentences_are_not_taken_for_labels():
    text = ("1\n00:00:01,000 --> 00:00:02,000\nThe answer is simple: learn.\n\n"
            "2\n00:00:02,000 --> 00:00:03,000\nThe answer is simple: learn.\n\n"
            "3\n00:00:03,000 --> 00:00:04,000\nSee http://example.com: it works\n")
    imported = parse_subtitles("x.srt", text)
    assert [t.label for t in imported.turns] == [None]
    assert problems(imported) == []


# ---------------------------------------------------------------- WebVTT


def test_vtt_voices_cue_settings_notes_styles_and_entities():
    imported = load("panel.vtt")
    assert imported.format == "vtt"
    assert imported.title == "A panel on thinking machines"
    assert imported.language == "en"
    assert turns(imported) == [
        ("Ada Lovelace", 5, "The engine might compose music, given the right rules. That is my claim."),
        ("Alan Turing", 10, "Can machines think? I believe they will."),
        ("Ada Lovelace", 3599, "Fish & chips, then."),  # a plain label among <v> tags: the same speaker
        ("Alan Turing", 3602, "Agreed."),
        ("Ada Lovelace", 3602, "Good."),
    ]
    assert [t.line for t in imported.turns] == [13, 21, 27, 30, 30]
    assert problems(imported) == []


def test_rolling_captions_are_read_once():
    imported = load("rolling.vtt")
    assert turns(imported) == [(None, 0, "so today we talk about learning machines that see")]
    assert imported.repeats_dropped == 4


def test_the_same_words_in_two_voices_are_not_a_repeat():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ada>Yes.\n\n00:02.000 --> 00:03.000\n<v Alan>Yes.\n"
    assert turns(parse_subtitles("x.vtt", text)) == [("Ada", 1, "Yes."), ("Alan", 2, "Yes.")]


def test_vtt_errors_count_lines_from_the_top_of_the_file():
    imported = load("broken.vtt", strict=True)
    assert [(line, severity) for line, severity, _ in problems(imported)] == [(9, "error"), (12, "error")]
    assert "'00:04.0000'" in imported.problems.items[0].message
    assert "before the cue above it (line 6, 00:00:01.000)" in imported.problems.items[1].message


def test_a_vtt_without_its_header_is_read_with_a_warning():
    imported = parse_subtitles("x.vtt", "00:01.000 --> 00:02.000\nHello.\n")
    assert turns(imported) == [(None, 1, "Hello.")]
    assert problems(imported) == [(1, "warning", "the file does not start with WEBVTT; read as WebVTT anyway")]


# ---------------------------------------------------------------- plain text


def test_plain_chinese_text_with_bold_and_plain_full_width_labels():
    imported = load("conversation.zh.txt")
    assert imported.format == "text"
    assert imported.title == "深度学习英雄：吴恩达对话杨立昆"
    assert imported.intro == ["这份稿子按发言轮次整理。"]
    assert [(type(i).__name__, i.title if isinstance(i, ImportedHeading) else (i.label, i.start, i.paragraphs))
            for i in imported.items] == [
        ("ImportedHeading", "走上神经网络之路"),
        ("ImportedTurn", ("吴恩达", 5, ["你做神经网络很久了，是怎么开始的？"])),  # no space between Chinese lines
        ("ImportedTurn", ("杨立昆", 70, ["我从小就对智能从何而来着迷。", "后来读到一本哲学书。"])),
        ("ImportedTurn", ("吴恩达", 120, ["那是哪一年？"])),
        ("ImportedTurn", ("杨立昆", 125, ["大约 1980 年。"])),
        ("ImportedHeading", "贝尔实验室"),
        ("ImportedTurn", ("吴恩达", 3600, ["谢谢你。"])),
    ]
    assert problems(imported) == []


def test_plain_english_text_with_colons_separators_and_dashes():
    imported = load("dialogue.en.txt")
    assert [(t.label, t.start, t.paragraphs) for t in imported.turns] == [
        ("Andrew Ng", None, ["Welcome, Yann."]),
        ("Yann LeCun", None, ["Thank you, Andrew."]),
        ("Andrew Ng", None, ["How did you start? It was the eighties, right?"]),
        ("Yann LeCun", None, ["Yes.", "Note: this part was recorded later."]),
        (None, None, ["What about Bell Labs?"]),
        (None, None, ["It was a special place."]),
        ("Andrew Ng", 1800, ["Thanks."]),
    ]
    assert [t.line for t in imported.turns] == [1, 2, 4, 7, 13, 14, 16]
    assert problems(imported) == [(9, "warning", "'Note:' looks like a speaker label but is used only once; kept as text")]


def test_plain_text_times_alone_on_a_line_and_otter_style_headers():
    text = "[00:00:07]\n**Ada:** Hello.\n[00:00:09] And more.\n\nAlan Turing  0:12\nHi there.\n\nAlan Turing  0:15\nYes.\n"
    imported = parse_subtitles("x.txt", text)
    assert turns(imported) == [("Ada", 7, "Hello."), ("Ada", 9, "And more."), ("Alan Turing", 12, "Hi there."),
                               ("Alan Turing", 15, "Yes.")]


def test_plain_text_timestamp_errors_have_their_lines():
    imported = load("broken.txt")
    assert [(line, severity) for line, severity, _ in problems(imported)] == [
        (2, "error"), (3, "error"), (4, "error"), (5, "error")]
    assert problems(imported)[0][2] == "malformed timestamp '[00:61:00]'"
    assert problems(imported)[1][2] == "[00:00:30] is earlier than the time above it (line 1, [00:01:00])"
    assert problems(imported)[2][2] == "malformed timestamp '[1:2]'"
    assert problems(imported)[3][2] == "malformed timestamp '[00:00:0x]'"


def test_text_without_any_label_is_an_error_not_an_empty_transcript():
    imported = parse_subtitles("x.txt", "Just some notes.\nNo speakers here.\n")
    assert imported.turns == [] and imported.intro == ["Just some notes. No speakers here."]
    assert problems(imported) == [(1, "error", "no speaker turns found")]


# ---------------------------------------------------------------- writing


def test_rendered_transcript_is_exact_and_loads_turn_for_turn():
    imported = load("diarized.en.srt")
    meta = TranscriptMeta(title="Bell Labs: the early years", source="interview-one", date="2018-04",
                          speakers={"SPEAKER_01": "alan-turing"}, media="https://youtu.be/abc123",
                          renames={"SPEAKER_01": "Alan Turing"}, imported_from="diarized.en.srt")
    text = render_transcript(imported, meta)
    assert text == (
        "---\n"
        "# imported by `lecun-site import-transcript` from diarized.en.srt\n"
        "title: 'Bell Labs: the early years'\n"
        "source: interview-one\n"
        "date: 2018-04\n"
        "speakers:\n"
        "  Alan Turing: alan-turing\n"
        "media: https://youtu.be/abc123\n"
        "---\n"
        "\n"
        "[00:00:01] **SPEAKER_00:** Tell me about Bell Labs.\n"
        "\n"
        "[00:00:04] **Alan Turing:** It was a special place. We had the best people and the freedom to try things.\n"
        "\n"
        "[00:00:10] **SPEAKER_00:** And then?\n"
        "\n"
        "[00:00:12] **Alan Turing:** Then AT&T split up.\n"
    )
    found = Problems()
    transcript = parse_transcript("t.en.md", text, problems=found, slug="t", lang="en")
    assert found.items == []
    assert transcript.title == "Bell Labs: the early years" and transcript.media == "https://youtu.be/abc123"
    assert [(t.speaker_label, t.speaker, t.start, t.text) for t in transcript.turns] == [
        ("SPEAKER_00", None, 1, "Tell me about Bell Labs."),
        ("Alan Turing", "alan-turing", 4,
         "It was a special place. We had the best people and the freedom to try things."),
        ("SPEAKER_00", None, 10, "And then?"),
        ("Alan Turing", "alan-turing", 12, "Then AT&T split up."),
    ]


def test_chinese_transcripts_keep_sections_paragraphs_and_full_width_colons():
    imported = load("conversation.zh.txt")
    text = render_transcript(imported, TranscriptMeta(title=imported.title, lang="zh",
                                                      speakers={"吴恩达": "andrew-ng", "杨立昆": "yann-lecun"}))
    assert "[00:01:10] **杨立昆：** 我从小就对智能从何而来着迷。\n\n后来读到一本哲学书。\n\n[00:02:00]" in text
    found = Problems()
    transcript = parse_transcript("t.zh.md", text, problems=found, slug="t", lang="zh")
    assert found.items == []
    assert transcript.intro == "这份稿子按发言轮次整理。"
    assert [(s.title, s.first_turn) for s in transcript.sections] == [("走上神经网络之路", 1), ("贝尔实验室", 5)]
    assert [(t.speaker, t.start) for t in transcript.turns] == [
        ("andrew-ng", 5), ("yann-lecun", 70), ("andrew-ng", 120), ("yann-lecun", 125), ("andrew-ng", 3600)]


def test_text_that_looks_like_markup_stays_text():
    text = "1\n00:00:01,000 --> 00:00:02,000\nAs cited in [@nature-2015], see [it](@/people/x), **Ada:** said.\n"
    rendered = render_transcript(parse_subtitles("x.srt", text), TranscriptMeta(title="x"))
    found = Problems()
    transcript = parse_transcript("x.en.md", rendered, problems=found, slug="x", lang="en")
    assert transcript.body_citations == () and transcript.links == () and len(transcript.turns) == 1
    html = render_markdown(transcript.turns[0].text).html
    assert html == "<p>As cited in [@nature-2015], see [it](@/people/x), <strong>Ada:</strong> said.</p>\n"


@pytest.mark.parametrize("name, slug, lang", [
    ("heroes.en.srt", "heroes", "en"), ("Kamath Interview.zh-Hans.vtt", "kamath-interview", "zh"),
    ("talk_2019.srt", "talk-2019", None), ("访谈.zh.txt", "", "zh"),
])
def test_slug_and_language_from_the_file_name(name, slug, lang):
    assert _slug_from_name(Path(name)) == slug
    assert _lang_from_name(Path(name)) == lang


# ---------------------------------------------------------------- the command


def test_import_writes_the_transcript_and_the_site_builds_with_it(minimal_site, tmp_path, cli):
    result = cli("import-transcript", FIXTURES / "diarized.en.srt", "--content", minimal_site, "--slug", "bell-labs",
                 "--source", "article-two", "--speaker", "SPEAKER_00=ada-lovelace",
                 "--speaker", "SPEAKER_01=alan-turing", "--media", "https://youtu.be/xyz789")
    assert result.code == 0, result.err
    target = minimal_site / "transcripts" / "bell-labs.en.md"
    assert result.out == f"wrote {target}: 4 turn(s), 2 speaker(s), 00:00:01 to 00:00:12\n"
    text = target.read_text(encoding="utf-8")
    assert "title: An article\nsource: article-two\ndate: ~2020\n" in text  # from sources/article-two.yaml
    assert "speakers:\n  Ada Lovelace: ada-lovelace\n  Alan Turing: alan-turing\n" in text  # machine labels → names
    assert "[00:00:04] **Alan Turing:** It was a special place." in text
    assert "warning" not in result.err

    out = tmp_path / "site"
    built = cli("build", "--content", minimal_site, "--out", out)
    assert built.code == 0, built.err
    about_it = [l for l in built.err.splitlines() if "bell-labs" in l and not l.startswith("    hint:")]
    assert [l.split(": ", 1)[1] for l in about_it] == ["warning: transcript 'bell-labs' has no zh version"]
    page = soup(out / "en" / "transcripts" / "bell-labs" / "index.html")
    assert [t["id"] for t in page.select(".turn")] == ["turn-1", "turn-2", "turn-3", "turn-4"]
    assert page.select_one("#turn-2 a.speaker")["href"] == "../../people/alan-turing/"
    assert page.select_one("#turn-2 a.timestamp")["href"] == "https://youtu.be/xyz789?t=4"
    assert page.select_one("#turn-4 .turn-text").get_text(strip=True) == "Then AT&T split up."


def test_two_languages_in_one_command_and_a_machine_label_left_unmapped(minimal_site, tmp_path, cli):
    result = cli("import-transcript", FIXTURES / "conversation.zh.txt", FIXTURES / "heroes.en.srt",
                 "--content", minimal_site, "--slug", "heroes",
                 "--speaker", "吴恩达=alan-turing", "--speaker", "Andrew Ng=alan-turing")
    assert result.code == 0, result.err
    zh = (minimal_site / "transcripts" / "heroes.zh.md").read_text(encoding="utf-8")
    en = (minimal_site / "transcripts" / "heroes.en.md").read_text(encoding="utf-8")
    assert zh.startswith("---\n# imported by `lecun-site import-transcript` from conversation.zh.txt\n"
                         "title: 深度学习英雄：吴恩达对话杨立昆\nspeakers:\n  吴恩达: alan-turing\n---\n")
    assert "title: heroes\nspeakers:\n  Andrew Ng: alan-turing\n---\n" in en
    assert "[01:02:03] **Yann LeCun:** Thank you, Andrew." in en
    err = result.err
    assert "speakers not mapped to a person: 杨立昆" in err and "speakers not mapped to a person: Yann LeCun" in err
    assert "1 turn(s) have no speaker and are written as '**?:**'" in err
    assert "--speaker '吴恩达' names no speaker of this file" in err  # said of the English file
    assert result.out.count("wrote ") == 2
    out = tmp_path / "site"
    built = cli("build", "--content", minimal_site, "--out", out)
    assert built.code == 0, built.err
    assert "transcript 'heroes' has 5 turns here but 7" in built.err  # pairing by position is only a warning
    pairs = soup(out / "zh" / "transcripts" / "heroes" / "parallel" / "index.html").select(".pair")
    assert len(pairs) == 7
    assert [c.select_one(".speaker").get_text() for c in pairs[1].select(".cell")] == ["杨立昆", "Andrew Ng"]


def test_a_source_or_person_not_written_yet_is_a_warning(minimal_site, cli):
    result = cli("import-transcript", FIXTURES / "conversation.zh.txt", "--content", minimal_site, "--slug", "talk",
                 "--source", "heroes-of-deep-learning", "--speaker", "吴恩达=andrew-ng", "--speaker", "杨立昆=alan-turing")
    assert result.code == 0, result.err
    assert f"{minimal_site / 'sources' / 'heroes-of-deep-learning.yaml'}: warning: no such file yet" in result.err
    assert f"{minimal_site / 'people' / 'andrew-ng.yaml'}: warning: no such file yet" in result.err
    assert "alan-turing" not in result.err
    text = (minimal_site / "transcripts" / "talk.zh.md").read_text(encoding="utf-8")
    assert "title: 深度学习英雄：吴恩达对话杨立昆\nsource: heroes-of-deep-learning\nspeakers:\n" in text


def test_refuses_to_overwrite_without_force(minimal_site, cli):
    args = ("import-transcript", FIXTURES / "panel.vtt", "--content", minimal_site, "--slug", "panel")
    assert cli(*args).code == 0
    target = minimal_site / "transcripts" / "panel.en.md"  # language from the WebVTT header
    before = target.read_bytes()
    target.write_text(before.decode("utf-8") + "\nA writer's edit.\n", encoding="utf-8")
    edited = target.read_bytes()
    result = cli(*args)
    assert result.code == 1
    assert result.err == f"error: {target} already exists; pass --force to replace it\nnothing was written\n"
    assert target.read_bytes() == edited
    assert cli(*args, "--force").code == 0
    assert target.read_bytes() == before


def test_content_errors_exit_1_listing_all_and_write_nothing(minimal_site, tmp_path, cli):
    srt, vtt = FIXTURES / "broken.srt", tmp_path / "other.vtt"
    vtt.write_bytes((FIXTURES / "broken.vtt").read_bytes())
    result = cli("import-transcript", srt, vtt, "--content", minimal_site, "--strict")
    assert result.code == 1
    lines = [l for l in result.err.splitlines() if not l.startswith("    hint:")]
    assert sorted(l.split(": ", 1)[0] for l in lines[:-1]) == sorted([
        f"{srt}:6", f"{srt}:14", f"{srt}:18", f"{srt}:22", f"{srt}:26", f"{vtt}:9", f"{vtt}:12"])
    assert lines[-1] == "7 error(s): nothing was written"
    assert "Traceback" not in result.err
    assert not list((minimal_site / "transcripts").glob("broken*"))
    assert not list((minimal_site / "transcripts").glob("other*"))


def test_two_files_that_would_write_one_transcript_are_a_usage_error(minimal_site, cli):
    result = cli("import-transcript", FIXTURES / "diarized.en.srt", FIXTURES / "panel.vtt", "--content", minimal_site,
                 "--slug", "same")
    assert result.code == 2
    assert "two input files would both be written to" in result.err
    result = cli("import-transcript", FIXTURES / "diarized.en.srt", FIXTURES / "panel.vtt", "--out", "x.md")
    assert result.code == 2
    assert "--out takes one input FILE" in result.err


def test_a_missing_file_is_exit_1(minimal_site, cli):
    result = cli("import-transcript", minimal_site / "nope.srt", "--content", minimal_site)
    assert result.code == 1
    assert f"{minimal_site / 'nope.srt'}: no such file" in result.err


@pytest.mark.parametrize("extra, message", [
    (["--lang", "fr"], "invalid choice: 'fr'"),
    (["--slug", "Bad Slug"], "--slug 'Bad Slug' is not a valid slug"),
    (["--speaker", "Ada"], "--speaker 'Ada' must be LABEL=person-id"),
    (["--speaker", "Ada=Ada Lovelace"], "'Ada Lovelace' is not a person id"),
    (["--speaker", "Ada=ada-lovelace", "--speaker", "Ada=alan-turing"], "'Ada' is mapped twice"),
    (["--media", "ftp://example.com/a.mp3"], "--media 'ftp://example.com/a.mp3' must be an http(s) URL"),
    (["--source", "Interview One"], "--source 'Interview One' is not a source id"),
])
def test_usage_errors_exit_2(minimal_site, cli, extra, message):
    result = cli("import-transcript", FIXTURES / "heroes.en.srt", "--content", minimal_site, *extra)
    assert result.code == 2
    assert message in result.err
    assert not (minimal_site / "transcripts" / "heroes.en.md").exists()


def test_a_file_name_without_a_latin_slug_needs_slug(tmp_path, cli):
    source = tmp_path / "访谈.zh.txt"
    source.write_text("吴恩达：你好。\n杨立昆：你好。\n吴恩达：再见。\n杨立昆：再见。\n", encoding="utf-8")
    result = cli("import-transcript", source, "--content", tmp_path / "content")
    assert result.code == 2 and "pass --slug" in result.err
    result = cli("import-transcript", source, "--content", tmp_path / "content", "--slug", "farewell")
    assert result.code == 0, result.err
    text = (tmp_path / "content" / "transcripts" / "farewell.zh.md").read_text(encoding="utf-8")
    assert text.endswith("**吴恩达：** 你好。\n\n**杨立昆：** 你好。\n\n**吴恩达：** 再见。\n\n**杨立昆：** 再见。\n")


def test_out_dash_writes_to_stdout_and_nothing_else(minimal_site, cli):
    result = cli("import-transcript", FIXTURES / "rolling.vtt", "--content", minimal_site, "--out", "-")
    assert result.code == 0, result.err
    assert result.out == ("---\n# imported by `lecun-site import-transcript` from rolling.vtt\ntitle: rolling\n---\n\n"
                          "[00:00:00] **?:** so today we talk about learning machines that see\n")
    assert "4 repeated caption cue(s) or line(s) dropped" in result.err
    assert not (minimal_site / "transcripts" / "rolling.en.md").exists()


def test_out_file_and_language_guessed_from_the_text(tmp_path, cli):
    source = tmp_path / "notes.txt"
    source.write_text("主持人：欢迎。\n嘉宾：谢谢。\n主持人：开始吧。\n嘉宾：好。\n", encoding="utf-8")
    target = tmp_path / "elsewhere" / "x.md"
    result = cli("import-transcript", source, "--out", target, "--content", tmp_path / "content")
    assert result.code == 0, result.err
    assert "(language 'zh' guessed from the text; --lang chooses it)" in result.out
    assert "**主持人：** 欢迎。" in target.read_text(encoding="utf-8")
