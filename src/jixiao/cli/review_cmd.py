"""jixiao review FILE... [--db PATH] [--engine]"""

from __future__ import annotations

from pathlib import Path

import click

from .options import engine_option, files_argument


@click.command("review")
@files_argument
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="审核结论数据库（默认：第一个输入文件旁的 <文件>.jixiao.sqlite）；再次打开即从上次停下的地方继续",
)
@engine_option
def command(files: tuple[str, ...], db: Path | None, engine: str) -> None:
    """终端审核：逐个查看问题及证据，确认（c）或排除（d），写备注（a），导出（e）。按 ? 查看全部按键。

    每个结论在做出时即写入数据库，进程被中断也不会丢失。
    """
    from ..errors import InputError

    if "-" in files:
        raise InputError("review 需要键盘输入，不能从标准输入读取报表，请先保存为文件 (stdin not supported)")
    try:
        from ..review import create_app
    except ImportError as e:
        raise InputError(f"终端审核需要安装可选依赖：pip install 'jixiao[review]' ({e.name} missing)") from e

    app = create_app(_files_of(files), db, engine)
    app.run()
    app.flush_pending()
    if app.error:
        raise InputError(app.error)


def _files_of(paths: tuple[str, ...]) -> list[str]:
    """Folders as the files under them (sorted, as every command reads them). A session
    rereads its files on reopening, so it takes files on disk: a zip is refused with a way out."""
    from pathlib import Path

    from ..batch import expand, is_batch_zip_file
    from ..errors import InputError

    out: list[str] = []
    for path in paths:
        p = Path(path)
        if p.is_file() and is_batch_zip_file(p):
            raise InputError(
                f"{path}: 终端审核暂不能直接打开压缩包，请先解压后审核该文件夹"
                f"（jixiao check 和 jixiao report 可直接读取压缩包）"
            )
        if p.is_dir():
            out += [e.path for e in expand([path]) if e.error is None and e.path is not None]
        else:
            out.append(path)
    return out
