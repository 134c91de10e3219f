"""jixiao serve [--host 127.0.0.1] [--port 8000] [--data-dir PATH] [--db PATH]"""

from __future__ import annotations

import socket
from pathlib import Path

import click

from ..errors import InputError


def _check_port_free(host: str, port: int) -> None:
    """A taken port is one line and exit 2, not a uvicorn log and a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as e:
            raise InputError(
                f"无法在 {host}:{port} 启动：{e.strerror}（端口被占用？请用 --port 换一个） (cannot bind)"
            ) from e


def allowed_hosts_for(host: str) -> tuple[str, ...] | None:
    """Host names the page answers to: loopback names for a loopback bind (a rebound DNS name
    is refused); any for a wildcard bind, where the machine's own names are not known."""
    from ..web.settings import LOOPBACK_HOSTS

    if host in ("0.0.0.0", "::", "[::]", ""):
        return None
    return tuple(dict.fromkeys((*LOOPBACK_HOSTS, host)))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（默认只允许本机访问）")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="端口")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="数据目录：审核结果与审核决定保存在这里（默认 $JIXIAO_HOME/web）",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="审核决定数据库（默认 数据目录/decisions.jixiao.sqlite）；指定终端审核的数据库即可在网页中继续",
)
@click.option(
    "--accounts",
    is_flag=True,
    default=False,
    help="要求登录（账户用 jixiao user add 创建）；使用团队数据库（JIXIAO_DATABASE_URL）时总是要求登录",
)
def command(host: str, port: int, data_dir: Path | None, db: Path | None, accounts: bool) -> None:
    """启动本地网页：粘贴或上传报表、查看问题、核对申报与自评、记录审核决定、下载 Excel。"""
    import uvicorn

    from ..web import create_app, warm_up
    from ..web.settings import WebSettings

    settings = WebSettings(db_path=db, allowed_hosts=allowed_hosts_for(host))
    if data_dir is not None:
        settings = WebSettings(data_dir=data_dir, db_path=db, allowed_hosts=settings.allowed_hosts)
    from ..web.team import check_serving

    accounts = check_serving(host, settings, accounts)  # accounts (web/team.py): who may bind where
    _check_port_free(host, port)
    app = create_app(settings, accounts=accounts)
    warm_up(app)
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    click.echo(f"jixiao 网页已启动：http://{shown}:{port}/   （按 Ctrl+C 停止）")
    click.echo(f"数据目录：{settings.data_dir}   审核决定：{settings.decisions_path}")
    uvicorn.run(app, host=host.strip("[]"), port=port, log_level="warning")
