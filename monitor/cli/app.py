"""`monitor`: the command line. It only wires the stages; every message is Chinese."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import click

from monitor.cli import clickzh
from monitor.config import Config, ConfigError, load_config
from monitor.store import Store, StoreError, describe_db_error

clickzh.install()


class MonitorError(click.ClickException):
    """A user-facing failure: printed in Chinese, with its own exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


class Context:
    def __init__(self, config_path: str, db_url: str | None):
        self.config_path = config_path
        self.db_url = db_url
        self._config: Config | None = None

    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                raise MonitorError(str(exc), exit_code=2) from exc
        return self._config

    def store(self, config: Config | None = None, *, read_only: bool = False) -> Store:
        """The store; ``read_only`` commands never create a database (or its folder) that is not there."""
        url = self.db_url or (config or self.config()).storage.url
        try:
            return Store(url, must_exist=read_only)
        except FileNotFoundError as exc:
            raise MonitorError(
                f"数据库文件 {exc} 不存在（还没有抓取过，或路径写错了）；请检查 --db 或 storage.url", exit_code=2
            ) from exc
        except StoreError as exc:
            raise MonitorError(str(exc), exit_code=2) from exc
        except Exception as exc:  # the database URL is user input: say what is wrong with it
            raise MonitorError(f"无法打开数据库 {url}：{exc}；请检查 storage.url 或 --db", exit_code=2) from exc


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


class MonitorGroup(click.Group):
    """Database failures an operator can fix (locked, read-only, too new) become a Chinese message, exit 2."""

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import DBAPIError

        try:
            return super().invoke(ctx)
        except (DBAPIError, StoreError) as exc:
            obj = ctx.obj
            message = (
                str(exc)
                if isinstance(exc, StoreError)
                else describe_db_error(exc, (obj.db_url or "") if obj is not None else "")
            )
            if message:
                raise MonitorError(message, exit_code=2) from exc
            raise


@click.group(cls=MonitorGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "-c",
    "--config",
    "config_path",
    default=lambda: os.environ.get("MONITOR_CONFIG", "sites.yaml"),
    show_default="sites.yaml",
    help="配置文件路径（也可用环境变量 MONITOR_CONFIG）",
)
@click.option(
    "--db",
    "db_url",
    default=lambda: os.environ.get("MONITOR_DB"),
    help="数据库地址，覆盖配置中的 storage.url（如 sqlite:///var/monitor.db 或 postgresql://…）",
)
@click.pass_context
def main(ctx: click.Context, config_path: str, db_url: str | None) -> None:
    """政府网站与政务新媒体监测：抓取网站、按国家检查指标检查、生成督查通报并跟踪整改。"""
    from monitor.cli import termtext

    termtext.install()  # crawled text reaches the terminal as text, never as escape sequences
    ctx.obj = Context(config_path, db_url)


def _register_commands() -> None:
    import monitor.cli.commands as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        register = getattr(mod, "register", None)
        if register is not None:
            register(main)


_register_commands()


def run() -> None:  # pragma: no cover - console entry
    main(prog_name="monitor")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog_name="monitor"))
