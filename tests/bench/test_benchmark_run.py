"""`python -m benchmarks.run` end to end on a tiny corpus, as the README tells a maintainer to run it."""

import json
import subprocess
import sys
from pathlib import Path

from lecun_site.build.signer import SIGN_LATER_FROM

ROOT = Path(__file__).resolve().parents[2]


def test_each_cold_build_gets_a_new_folder_and_outputs_go_only_at_the_end(tmp_path: Path) -> None:
    work = tmp_path / "work"
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--notes", "12", "--repeat", "2", "--no-browser",
                           "--no-search", "--workdir", str(work), "--json", str(tmp_path / "r.json")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cold build, wall (s)" in done.stdout
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    runs = data["runs"]["12"]

    def out_of(run: dict) -> str:
        return run["args"][run["args"].index("--out") + 1]

    colds = [out_of(run) for run in runs["cold"]]
    # a folder never used before for each cold build (deleting a site just before a build slows
    # it on ext4), the no-change rebuild in the folder its cold build left
    assert len(set(colds)) == 2 and [out_of(run) for run in runs["nochange"]] == colds
    assert len({out_of(run) for run in runs["serve"]} | set(colds)) == 4
    for run in runs["cold"]:
        assert run["process_exit"] == 0 and run["pages"] > 100 and run["wall_seconds"] > 0
        # a cold build this large signs its pages in the background: waited for, and timed apart
        assert run["pages"] >= SIGN_LATER_FROM and run["signed_after_seconds"] >= 0
    assert "signer done, after the build (s)" in done.stdout
    assert [run["rendered"] for run in runs["nochange"]] == [0, 0]
    assert data["results"]["12"]["cold"]["wall_seconds"] > 0
    # the title edit re-renders the pages that list the note, the body edit only the note's
    assert "one-note title edit, Builder (ms)" in done.stdout
    for run in runs["serve"]:
        assert run["title_edit"]["ok"], run["title_edit"]
        assert run["title_edit"]["rendered"] > run["note_edit"]["rendered"]
    assert data["results"]["12"]["serve"]["title_edit"]["ms"] > 0
    # everything but the logs is deleted once every measurement is done
    assert sorted(p.name for p in work.iterdir()) == ["logs-12"]
