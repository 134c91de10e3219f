"""Modal screens: a one-line prompt (reason, note, export path), a check picker, the key help."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..zh import UNDECIDED_LABEL

_MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 80%; max-width: 100; height: auto; max-height: 90%;
    border: thick $accent; background: $surface; padding: 1 2;
}}
{name} Label {{ margin-bottom: 1; }}
{name} .hint {{ color: $text-muted; margin-top: 1; }}
"""


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text. Enter answers it (possibly ''), Escape answers None."""

    DEFAULT_CSS = _MODAL_CSS.format(name="TextPrompt")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]

    def __init__(self, title: str, value: str = "", placeholder: str = "", hint: str = "回车确认，Esc 取消") -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._placeholder = placeholder
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title)
            yield Input(value=self._value, placeholder=self._placeholder, id="prompt")
            yield Static(self._hint, classes="hint")

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


ALL_CHECKS = "*"


class CheckPicker(ModalScreen[str | None]):
    """Pick a check id to filter by; ``ALL_CHECKS`` clears the filter, Escape answers None."""

    DEFAULT_CSS = _MODAL_CSS.format(name="CheckPicker")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消")]

    def __init__(self, checks: list[tuple[str, str, int]], current: str | None) -> None:
        super().__init__()
        self._checks = checks  # (id, label, count)
        self._current = current

    def compose(self) -> ComposeResult:
        options = [Option(Text("全部检查项"), id=ALL_CHECKS)]
        for check, label, n in self._checks:
            options.append(Option(Text.assemble((check, "bold"), f"  {label}  ", (f"{n}", "dim")), id=check))
        with Vertical():
            yield Label("按检查项筛选")
            yield OptionList(*options, id="checks")
            yield Static("回车选择，Esc 取消", classes="hint")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ids = [ALL_CHECKS] + [c for c, _, _ in self._checks]
        ol.highlighted = ids.index(self._current) if self._current in ids else 0
        ol.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


KEYS: list[tuple[str, str]] = [
    ("n / j", "下一个问题"),
    ("p / k", "上一个问题"),
    ("] / [", f"下一个 / 上一个{UNDECIDED_LABEL}的问题"),
    ("c", "确认问题"),
    ("d", "不是问题（可填写理由）"),
    ("u", "撤销结论"),
    ("a", "添加或修改备注"),
    ("g", "跳到证据（指标表中的单元格或目标文字）"),
    ("s", "按严重程度筛选：全部 → 错误和警告 → 仅错误"),
    ("f", "按检查项筛选"),
    ("v", f"只看{UNDECIDED_LABEL}的问题（再按一次取消）"),
    ("/", "搜索项目（项目名称、部门、单位）；Esc 清除"),
    ("↑ ↓", "在项目列表中选择项目"),
    ("Tab", "切换焦点：项目列表 → 问题列表 → 指标表"),
    ("e", "导出（.xlsx / .html / .md / .json）"),
    ("?", "显示本帮助"),
    ("q", "退出（每个结论在做出时已保存）"),
]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = _MODAL_CSS.format(name="HelpScreen")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,enter", "close", "关闭")]

    def compose(self) -> ComposeResult:
        t = Table(show_header=False, box=None, padding=(0, 2))
        t.add_column(style="bold cyan", no_wrap=True)
        t.add_column()
        for k, what in KEYS:
            t.add_row(k, what)
        with Vertical():
            yield Label("按键")
            yield Static(t, id="keys")
            yield Static("Esc 或 ? 关闭", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
