"""The README stays true: its test command is CI's, and every setting and command is documented."""

import re

from conftest import ROOT

from lecun_site.cli import _parser
from lecun_site.content.config import SETTINGS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    test_command = next(b for b in blocks if "pytest" in b and "pip install" not in b)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.strip() in ci


def test_every_setting_is_documented():
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in README, setting.name


def test_every_command_is_documented():
    commands = _parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"lecun-site {name}" in README, name
