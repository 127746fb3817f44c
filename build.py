#!/usr/bin/env python3
"""Run the lecun-site CLI from a checkout: `python build.py build`, `python build.py serve`, …"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from lecun_site.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
