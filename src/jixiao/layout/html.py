"""Rows of cells from the page source of a web page that holds a form as an HTML ``<table>``.

Users paste page source; the rules engine reads rows of tab-separated cells. A table's
merged cells (``colspan``, ``rowspan``) are expanded into a grid the way every jixiao reader
does it: the value in the first (top-left) position, every other covered position "" — so
rowspans shift the following rows' cells into their true columns. Each row keeps the
1-based source line of its ``<tr>``; text outside the tables (a title ``<p>`` before the
table) becomes a one-cell row at its own line. The standard library's ``HTMLParser``
does the parsing (entities decoded, broken markup tolerated); nothing here raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..readers.cells import cell_text

MAX_COLSPAN = 200
MAX_ROWSPAN = 1000
MAX_COLUMNS = 500  # a table wider than this is hostile: its further cells are dropped

_PROBE = re.compile(r"<(?:table|tr|td|th)", re.IGNORECASE)
# a start tag in lower case whose attributes are all name="value" with nothing to unescape
_PLAIN_START = re.compile(r'<([a-z][a-z0-9]*)((?: [a-z]+="[^"<>&]*")*)>')
_PLAIN_ATTR = re.compile(r' ([a-z]+)="([^"]*)"')
_PLAIN_END = re.compile(r"</([a-z][a-z0-9]*)>")
_SKIP = frozenset({"script", "style", "noscript", "template"})
# Tags that end a run of text: outside a cell each run is a row, inside a cell a line break.
_BLOCKS = frozenset(
    "address article aside blockquote body br caption center dd div dl dt fieldset figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section title ul".split()
)
# Blocks whose text may wrap over source lines; elsewhere a source line break ends the row.
_PARAGRAPHS = frozenset("caption dd dt h1 h2 h3 h4 h5 h6 li p pre title".split())
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})

Row = tuple[int, list[str]]


def looks_like_html(lines: list[str]) -> bool:
    """True when the text holds an HTML table (a cheap, case-insensitive look for its tags)."""
    # one C-speed search over the whole text ('<' alone is common: '<5%' targets)
    return _PROBE.search("\n".join(lines)) is not None


def html_rows(lines: list[str]) -> list[Row]:
    """The document's rows in order: (1-based line of the row's start, cells)."""
    parser = _TableParser()
    try:
        parser.feed("\n".join(lines))
        if not parser.rawdata.startswith("<"):  # an unfinished tag or comment is markup, not text
            parser.close()
    except Exception:  # HTMLParser is lenient, but a bad input must not stop a reading
        pass
    parser.finish()
    rows: list[Row] = []
    for line, cells in parser.rows:
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append((line, cells))
    return rows


def _clean(parts: list[str]) -> str:
    """Cell text on one line: breaks joined as ``join_wrapped`` does, whitespace collapsed."""
    text = "".join(parts)
    if _NEEDS_CLEAN.search(text) is None:
        return text  # no whitespace or control character: nothing to join or collapse
    return " ".join(cell_text(text.replace("\xa0", " ")).split())


_NEEDS_CLEAN = re.compile(r"[\s\x00-\x1f\x7f\xa0]")


def _span(value: str | None, cap: int, zero: int) -> int:
    """A colspan/rowspan as browsers read it (leading digits), capped; ``zero`` stands for 0."""
    if value is None:
        return 1
    value = value.strip()
    if value.isascii() and value.isdigit():  # the common case: a plain number
        n = int(value[:6])
        return zero if n == 0 else min(n, cap)
    digits = ""
    for ch in value:
        if not ch.isdigit():
            break
        digits += ch
    if not digits:
        return 1
    n = int(digits[:6])
    return zero if n == 0 else min(n, cap)


@dataclass
class _Table:
    busy: list[int] = field(default_factory=list)  # per column: the row index it is covered until
    row_index: int = 0
    row: list[str] | None = None
    cell: list[str] | None = None  # text parts of the open cell
    cell_at: int | None = None  # its position in the row; None when dropped

    def start_row(self, out: list[Row], line: int) -> list[str]:
        self.end_row()
        self.row = []
        out.append((line, self.row))
        return self.row

    def end_row(self) -> None:
        self.end_cell()
        if self.row is not None:
            self.row = None
            self.row_index += 1

    def start_cell(self, out: list[Row], line: int, colspan: int, rowspan: int) -> None:
        self.end_cell()
        row = self.row if self.row is not None else self.start_row(out, line)
        col = len(row)
        while col < len(self.busy) and self.busy[col] > self.row_index:
            col += 1
        self.cell = []
        self.cell_at = None
        if col >= MAX_COLUMNS:
            return
        colspan = min(colspan, MAX_COLUMNS - col)
        row.extend([""] * (col + colspan - len(row)))
        if len(self.busy) < col + colspan:
            self.busy.extend([0] * (col + colspan - len(self.busy)))
        for c in range(col, col + colspan):
            self.busy[c] = self.row_index + rowspan
        self.cell_at = col

    def end_cell(self) -> None:
        if self.cell is not None and self.cell_at is not None and self.row is not None:
            self.row[self.cell_at] = _clean(self.cell)
        self.cell = None
        self.cell_at = None


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[Row] = []
        self.tables: list[_Table] = []
        self.skip_depth = 0
        self.in_paragraph = False
        self.text: list[str] = []  # the run of text outside cells, and the line it starts
        self.text_line: int | None = None

    # Plain tags ('<td>', '<td rowspan="2">', '</tr>': nearly every tag of a pasted table)
    # are taken here at the cost of one regex match; anything else goes the standard way.
    # What the handlers get is what HTMLParser would give them.
    def parse_starttag(self, i: int) -> int:
        m = _PLAIN_START.match(self.rawdata, i)
        if m is None or m.group(1) in self.CDATA_CONTENT_ELEMENTS:
            return super().parse_starttag(i)
        self.lasttag = tag = m.group(1)
        self._HTMLParser__starttag_text = m.group(0)  # type: ignore[attr-defined]
        self.handle_starttag(tag, _PLAIN_ATTR.findall(m.group(2)) if m.group(2) else [])
        return m.end()

    def parse_endtag(self, i: int) -> int:
        m = _PLAIN_END.match(self.rawdata, i)
        if m is None or self.cdata_elem is not None:
            return super().parse_endtag(i)
        self.handle_endtag(m.group(1))
        self.clear_cdata_mode()
        return m.end()

    def _table(self) -> _Table:
        if not self.tables:  # a <tr> or <td> without <table>
            self.tables.append(_Table())
        return self.tables[-1]

    def _open_cell(self) -> list[str] | None:
        return self.tables[-1].cell if self.tables else None

    def flush_text(self) -> None:
        joined = "".join(self.text)
        # the whitespace between tags (most runs outside cells) cleans to nothing
        text = _clean([joined]) if joined and not joined.isspace() else ""
        if text and self.text_line is not None:
            self.rows.append((self.text_line, [text]))
        self.text = []
        self.text_line = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in _SKIP:
            self.skip_depth += 1
            return
        cell = self._open_cell()
        if tag in _BLOCKS and cell is not None:
            cell.append("\n")
            return
        if tag in _BLOCKS:
            self.flush_text()
            if tag != "br":
                self.in_paragraph = tag in _PARAGRAPHS
            return
        if tag == "table":
            self.flush_text()
            self.tables.append(_Table())
        elif tag == "tr":
            self.flush_text()
            self._table().start_row(self.rows, line)
        elif tag in ("td", "th"):
            self.flush_text()
            spans = dict(attrs)
            colspan = _span(spans.get("colspan"), MAX_COLSPAN, zero=1)
            rowspan = _span(spans.get("rowspan"), MAX_ROWSPAN, zero=MAX_ROWSPAN)  # 0: to the group's end
            self._table().start_cell(self.rows, line, colspan, rowspan)
        elif tag in _ROW_GROUPS and self.tables:
            self.tables[-1].end_row()
            self.tables[-1].busy = []  # rowspans stop at the end of their row group

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        cell = self._open_cell()
        if tag in _BLOCKS and cell is not None:
            cell.append("\n")
        elif tag in _BLOCKS:
            self.flush_text()
            if tag != "br":
                self.in_paragraph = False
        elif not self.tables:
            return
        elif tag == "table":
            self.flush_text()
            self.tables.pop().end_row()
        elif tag == "tr":
            self.tables[-1].end_row()
        elif tag in ("td", "th"):
            self.tables[-1].end_cell()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        cell = self._open_cell()
        if cell is not None:
            cell.append(data)
            return
        if not self.in_paragraph and data.isspace():  # between tags: ends the text run, if any
            if "\n" in data:
                self.flush_text()
                data = data.rsplit("\n", 1)[1]
            self.text.append(data)
            return
        first_line = self.getpos()[0]
        for offset, piece in enumerate(data.split("\n")):
            if offset:
                if self.in_paragraph:
                    self.text.append("\n")
                else:
                    self.flush_text()
            if self.text_line is None and piece.strip():
                self.text_line = first_line + offset
            self.text.append(piece)

    def finish(self) -> None:
        """Close whatever the markup left open."""
        self.flush_text()
        while self.tables:
            self.tables.pop().end_row()
