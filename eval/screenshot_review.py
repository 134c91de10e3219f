"""Screenshots of the terminal review session, as a reviewer sees it, under eval/screenshots/.

    .venv/bin/python eval/screenshot_review.py

Opens the two seed documents with the real checks (headless, Textual's Pilot), decides two
findings (one confirmed, one not a problem with a reason) so the finding list shows every
decision word, and saves the screen: Textual's SVG, turned into PNG by Debian's Chromium
(/usr/bin/chromium through Playwright). Writes tui-list.svg and tui-list.png.
"""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from rich.cells import cell_len

from jixiao.review import create_app
from jixiao.review.screens import TextPrompt

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
SHOTS = ROOT / "eval" / "screenshots"
SIZE = (160, 48)


async def take(db: Path, svg: Path) -> None:
    app = create_app([str(p) for p in SEEDS], db)
    async with app.run_test(size=SIZE) as pilot:
        while not app.complete and not app.error:
            await pilot.pause(0.05)
        await pilot.press("c")  # the first finding: a problem
        await pilot.press("d")  # the second: not one, with a reason
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"已核实")
        await pilot.press("enter")
        await pilot.press("p", "p")  # back to the first finding: its form's list shows all three words
        while app.saved < 2:
            await pilot.pause(0.05)
        await pilot.pause(0.5)  # the notices fade
        svg.write_text(wide_cells(app.export_screenshot(title="jixiao 绩效审核")), encoding="utf-8")
        await pilot.press("q")


_TEXT = re.compile(r'(<text [^>]*?textLength=")([0-9.]+)("[^>]*>)([^<]*)(</text>)')


def wide_cells(svg: str) -> str:
    """Give every text run the width of its terminal cells: Rich's SVG export sizes a run by
    its characters, so a Chinese character (two cells) is squeezed into one and overlaps."""

    def fix(m: re.Match[str]) -> str:
        text = html.unescape(m.group(4))
        if not text or cell_len(text) == len(text):
            return m.group(0)
        width = float(m.group(2)) / len(text) * cell_len(text)
        return f"{m.group(1)}{width:g}{m.group(3)}{m.group(4)}{m.group(5)}"

    return _TEXT.sub(fix, svg)


def to_png(svg: Path, png: Path) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1700, "height": 1200}, device_scale_factor=1)
        page.goto(svg.resolve().as_uri())
        page.locator("svg").first.screenshot(path=str(png))
        browser.close()


def main() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    svg, png = SHOTS / "tui-list.svg", SHOTS / "tui-list.png"
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(take(Path(tmp) / "shot.sqlite", svg))
    to_png(svg, png)
    print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
