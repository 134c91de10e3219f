"""click in Chinese: help pages, usage lines and usage errors.

click has no Chinese catalog, so its words are replaced at the two places they reach a user:
the help formatter (usage prefix, section headings, the help option's text, ``[default: …]``)
and the error line (``zh_error``, built from the exception's fields, not its English text).
An English message click builds that is not known here is shown as it is, never hidden.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import click
from click.exceptions import BadOptionUsage, BadParameter, FileError, MissingParameter, NoSuchOption, UsageError

try:  # click >= 8.4
    from click.exceptions import NoSuchCommand
except ImportError:  # pragma: no cover - older click
    NoSuchCommand = None  # type: ignore[assignment,misc]
try:  # click >= 8.2: a bare "jixiao" shows the help page
    from click.exceptions import NoArgsIsHelpError
except ImportError:  # pragma: no cover - older click
    NoArgsIsHelpError = None  # type: ignore[assignment,misc]

HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数", "Arguments": "参数"}
HELP_TEXTS = {"Show this message and exit.": "显示本帮助并退出。", "Show the version and exit.": "显示版本号并退出。"}
# the metavars click gives option types
TYPE_NAMES = {
    "TEXT": "文本",
    "INTEGER": "整数",
    "FLOAT": "数值",
    "INTEGER RANGE": "整数",
    "FLOAT RANGE": "数值",
    "PATH": "路径",
    "FILE": "文件",
    "DIRECTORY": "目录",
    "BOOLEAN": "是/否",
}
_TYPE_RE = re.compile(r"\b(" + "|".join(sorted(TYPE_NAMES, key=len, reverse=True)) + r")\b")
USAGE_WORDS = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))

# click's own English messages (after its formatting) -> Chinese
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(.+) is not one of (.+)\.$"), r"\1 不是可选值之一（可选：\2）"),
    (re.compile(r"^(.+) is not a valid integer(?: range)?\.$"), r"\1 不是整数"),
    (re.compile(r"^(.+) is not a valid float(?: range)?\.$"), r"\1 不是数字"),
    (re.compile(r"^(.+) is not a valid boolean\..*$"), r"\1 不是是/否值"),
    (re.compile(r"^(.+) is not in the range (.+)\.$"), r"\1 不在范围 \2 内"),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), r"选项 \1 需要一个值"),
    (re.compile(r"^Option '(.+)' requires (\d+) arguments\.$"), r"选项 \1 需要 \2 个值"),
    (re.compile(r"^Option '(.+)' does not take a value\.$"), r"选项 \1 不接受值"),
    (re.compile(r"^Got unexpected extra arguments? \((.*)\)$"), r"多余的参数：\1"),
    (re.compile(r"^Missing command\.$"), "缺少命令"),
    (re.compile(r"^(?:File|file) '(.+)' does not exist\.$"), r"文件 '\1' 不存在"),
    (re.compile(r"^(?:Directory|directory) '(.+)' does not exist\.$"), r"目录 '\1' 不存在"),
    (re.compile(r"^(?:Path|path) '(.+)' does not exist\.$"), r"路径 '\1' 不存在"),
    (re.compile(r"^(?:File|file|Path|path) '(.+)' is a directory\.$"), r"'\1' 是目录，应为文件"),
    (re.compile(r"^(?:Directory|directory|Path|path) '(.+)' is a file\.$"), r"'\1' 是文件，应为目录"),
    (re.compile(r"^(?:\w+) '(.+)' is not readable\.$"), r"'\1' 不可读"),
    (re.compile(r"^(?:\w+) '(.+)' is not writable\.$"), r"'\1' 不可写"),
    (re.compile(r"^Takes (\d+) values but (\d+) (?:was|were) given\.$"), r"需要 \1 个值，实际给了 \2 个"),
    (re.compile(r"^(.+) is not (.+)\.$"), r"\1 不是可选值（应为 \2）"),  # a Choice of one; last: the widest
]


def zh_message(message: str) -> str:
    """One of click's English messages in Chinese; an unknown one unchanged."""
    text = message.strip()
    for pattern, repl in _MESSAGES:
        if pattern.match(text):
            return pattern.sub(repl, text)
    return text


def _hint(e: BadParameter) -> str:
    hint: Any = e.param_hint
    if hint is None and e.param is not None:
        hint = e.param.get_error_hint(e.ctx) if e.ctx is not None else e.param.name
    if isinstance(hint, Sequence) and not isinstance(hint, str):
        hint = " / ".join(str(h) for h in hint)
    return str(hint or "").replace("'", "")


def zh_error(e: click.ClickException) -> str:
    """The error line for a click exception, in Chinese, with the usage and where help is."""
    if NoArgsIsHelpError is not None and isinstance(e, NoArgsIsHelpError):
        return e.format_message()  # the help page itself, already in Chinese
    if isinstance(e, NoSuchOption):
        what = f"没有选项 {e.option_name}"
        if e.possibilities:
            what += f"（是否想用 {'、'.join(e.possibilities)}？）"
    elif NoSuchCommand is not None and isinstance(e, NoSuchCommand):
        what = f"没有命令 {e.command_name}"
        if e.possibilities:
            what += f"（是否想用 {'、'.join(e.possibilities)}？）"
    elif isinstance(e, MissingParameter):
        type_name = e.param_type or (e.param.param_type_name if e.param is not None else "")
        kind = {"argument": "参数", "option": "选项"}.get(type_name, "参数")
        what = f"缺少{kind} {_hint(e)}".rstrip()
    elif isinstance(e, BadParameter):
        hint = _hint(e)
        what = f"{hint} 的值无效：{zh_message(e.message)}" if hint else f"值无效：{zh_message(e.message)}"
    elif isinstance(e, FileError):
        what = f"无法打开文件 {e.ui_filename}：{e.message}"
    elif isinstance(e, BadOptionUsage | UsageError):
        what = zh_message(e.message)
    else:
        what = zh_message(e.format_message())
    line = f"错误：{what}"
    ctx = getattr(e, "ctx", None)
    if isinstance(e, UsageError) and ctx is not None:
        usage = " ".join([ctx.command_path, *ctx.command.collect_usage_pieces(ctx)])
        names = ctx.help_option_names
        help_cmd = f"{ctx.command_path} {names[0]}" if names else ""
        line += f"（用法：{usage}" + (f"；查看帮助：{help_cmd}" if help_cmd else "") + "）"
    return line


class ZhFormatter(click.HelpFormatter):
    """click's help page with Chinese headings and words, wrapped by display width (a CJK
    character takes two columns; click counts it as one and overflows the terminal)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for en, zh in USAGE_WORDS:
            args = args.replace(en, zh)
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
        out = []
        for p in paragraphs:
            out.append("\n".join(indent + line for line in wrap_cells(p, self.width - self.current_indent)))
        self.write("\n\n".join(out) + "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(_zh_term(t), _zh_help(h)) for t, h in rows]
        if not rows:
            return
        first_col = min(max(cell_width(t) for t, _ in rows), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        for term, help_text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not help_text:
                self.write("\n")
                continue
            if cell_width(term) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_width(term)))
            else:
                self.write("\n" + pad)
            lines = wrap_cells(help_text, max(self.width - first_col - self.current_indent, 10))
            self.write(("\n" + pad).join(lines) + "\n")


def cell_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CLOSING = "）」』】〉》，。；：、！？"
# a CJK character with the closing marks after it (a line never starts with one), a space run,
# or a latin word
_TOKEN = re.compile(rf"\s+|[{_CJK}][{_CLOSING}]*|[^\s{_CJK}]+[{_CLOSING}]*")


def wrap_cells(text: str, width: int) -> list[str]:
    """Greedy wrap by display width: breaks at spaces and between CJK characters, never
    inside a latin word (an option name, a value)."""
    tokens = _TOKEN.findall(text)
    lines: list[str] = []
    line, used = "", 0
    for tok in tokens:
        if tok.isspace():
            if "\n" in tok and line:
                lines.append(line.rstrip())
                line, used = "", 0
            elif line:
                line, used = line + " ", used + 1
            continue
        w = cell_width(tok)
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + tok, used + w
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _zh_term(term: str) -> str:
    return _TYPE_RE.sub(lambda m: TYPE_NAMES[m.group(1)], term)


def _zh_help(text: str) -> str:
    for en, zh in HELP_TEXTS.items():
        text = text.replace(en, zh)

    def extra(m: re.Match[str]) -> str:  # click's "[default: 200; 1<=x<=100000; required]"
        parts = [x.strip() for x in m.group(1).split(";")]
        words = {"required": "必填"}
        out = [("默认：" + x[len("default: ") :]) if x.startswith("default: ") else words.get(x, x) for x in parts]
        return "[" + "，".join(out) + "]"

    return re.sub(r"\[((?:default: |required|\S+<=?x)[^\]]*)\]\s*$", extra, text)


class ZhContext(click.Context):
    formatter_class = ZhFormatter


class ZhGroup(click.Group):
    """The top-level group: its commands get Chinese help pages and usage lines; run in
    standalone mode (tests' CliRunner), usage errors are Chinese too."""

    context_class = ZhContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.context_class = ZhContext
        if cmd.options_metavar == "[OPTIONS]":
            cmd.options_metavar = "[选项]"
        super().add_command(cmd, name)

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("已中止", err=True)
            sys.exit(1)
        except click.ClickException as e:
            click.echo(zh_error(e), err=True)
            sys.exit(e.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)
