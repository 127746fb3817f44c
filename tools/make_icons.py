"""Draw the PNG icons from static/favicon.svg: favicon-32.png (browsers without SVG icons) and
apple-touch-icon.png (180×180, the home-screen icon of iOS, which ignores SVG).

Run after changing the SVG: `python tools/make_icons.py`. Uses the browser the tests use
(Debian's Chromium through playwright, both in the `test` extra), so it needs nothing more.
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parents[1] / "static"
SIZES = {"favicon-32.png": 32, "apple-touch-icon.png": 180}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main() -> None:
    svg = (STATIC / "favicon.svg").read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, size in SIZES.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            # the touch icon is shown on a square the system rounds itself: no transparent corners
            square = name.startswith("apple")
            page.set_content(f"<style>html,body{{margin:0;background:{'#1f3a5f' if square else 'transparent'}}}"
                             f"svg{{display:block;width:{size}px;height:{size}px}}</style>{svg}")
            page.screenshot(path=str(STATIC / name), omit_background=not square)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
