"""`monitor user`: dashboard accounts from the command line."""

from __future__ import annotations

import sys

import click


def _cli():
    from monitor.cli.app import MonitorError

    return MonitorError


def register(group: click.Group) -> None:
    @group.group("user")
    def user_group():
        """管理整改跟踪看板的账号。"""

    @user_group.command("add")
    @click.argument("name")
    @click.option(
        "--role",
        required=True,
        type=click.Choice(["admin", "auditor", "unit"]),
        help="admin 管理员、auditor 督查人员、unit 责任单位",
    )
    @click.option("--unit", help="所属单位（unit 角色必填，须与 sites.yaml 中的单位名称一致）")
    @click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行），不交互提示")
    @click.pass_obj
    def add_cmd(obj, name, role, unit, password_stdin):
        """创建账号（密码以 argon2 散列保存）。"""
        from monitor.web.auth import create_user

        config = None
        try:
            config = obj.config()
        except _cli():
            if not obj.db_url:
                raise
        if role == "unit" and unit and config is not None and config.units:
            names = [u.name for u in config.units]
            if unit not in names:
                raise _cli()(
                    f"单位“{unit}”不在 {obj.config_path} 的 units 列表中；可用的有：{'、'.join(names)}", exit_code=2
                )
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
        store = obj.store(config)
        try:
            create_user(store, name, password, role, unit)
        except ValueError as exc:
            raise _cli()(str(exc), exit_code=2) from exc
        click.echo(f"账号“{name}”已创建（{role}{'，' + unit if unit and role == 'unit' else ''}）")

    @user_group.command("list")
    @click.pass_obj
    def list_cmd(obj):
        """列出全部账号。"""
        from sqlalchemy import select

        from monitor.store import User

        store = obj.store(None if obj.db_url else obj.config())
        with store.session() as s:
            for u in s.scalars(select(User).order_by(User.username)):
                click.echo(f"{u.username}\t{u.role}\t{u.unit or ''}\t{'启用' if u.active else '停用'}")

    @user_group.command("disable")
    @click.argument("name")
    @click.pass_obj
    def disable_cmd(obj, name):
        """停用账号（保留其处理记录）。"""
        from sqlalchemy import select

        from monitor.store import User

        store = obj.store(None if obj.db_url else obj.config())
        with store.session() as s:
            u = s.scalar(select(User).where(User.username == name))
            if u is None:
                raise _cli()(f"没有用户名为“{name}”的账号", exit_code=2)
            u.active = False
        click.echo(f"账号“{name}”已停用")
