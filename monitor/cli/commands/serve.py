"""`monitor serve`: the auditors' dashboard (Starlette + uvicorn) over the same store."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

DEFAULT_SECRET_FILE = "var/web-secret.key"


def session_secret(path: str) -> str:
    """MONITOR_WEB_SECRET, else the key in ``path`` (created once, readable by its owner only)."""
    env = os.environ.get("MONITOR_WEB_SECRET")
    if env:
        return env
    p = Path(path)
    if p.is_file():
        return p.read_text(encoding="utf-8").strip()
    p.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key


def register(group: click.Group) -> None:
    @group.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="监听端口")
    @click.option(
        "--secure-cookies/--no-secure-cookies",
        default=False,
        show_default=True,
        help="会话 Cookie 只经 HTTPS 发送（在 HTTPS 反向代理后部署时请打开）",
    )
    @click.option(
        "--secret-file",
        default=DEFAULT_SECRET_FILE,
        show_default=True,
        help="会话签名密钥文件（不存在时自动生成）；也可用环境变量 MONITOR_WEB_SECRET",
    )
    @click.option(
        "--trusted-proxy",
        "trusted_proxies",
        multiple=True,
        default=lambda: [p for p in os.environ.get("MONITOR_TRUSTED_PROXIES", "").split(",") if p.strip()],
        help="反向代理的地址（可重复，可写网段如 10.0.0.0/8；也可用环境变量 MONITOR_TRUSTED_PROXIES，逗号分隔）："
        "只信任来自这些地址的 X-Forwarded-For，据此按真实客户端地址限制登录失败",
    )
    @click.pass_obj
    def serve_cmd(obj, host, port, secure_cookies, secret_file, trusted_proxies):
        """启动整改跟踪看板（浏览器访问）。先用 monitor user add 创建账号。"""
        import uvicorn
        from sqlalchemy import func, select

        from monitor.store import User
        from monitor.web import create_app

        config = obj.config()
        store = obj.store(config)
        with store.session() as s:
            if not s.scalar(select(func.count()).select_from(User)):
                click.echo("提示：还没有任何账号，请先运行 monitor user add 用户名 --role admin 创建管理员", err=True)
        app = create_app(
            store,
            config,
            secret_key=session_secret(secret_file),
            secure_cookies=secure_cookies,
            trusted_proxies=tuple(p.strip() for p in trusted_proxies),
        )
        click.echo(f"整改跟踪看板：http://{host}:{port}/ （按 Ctrl+C 停止）", err=True)
        # proxy headers are handled by the app itself, from the configured proxies only
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
