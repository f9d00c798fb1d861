"""Rectification (整改): one finding and its history, auditors' status changes, recheck, evidence, ledger."""
from __future__ import annotations

import click
from monitor.model import FindingStatus


def register(group: click.Group) -> None:
    from monitor.cli.commands.core import _as_of, _cli, console

    @group.command("finding")
    @click.argument("finding_id", type=int)
    @click.option("--set", "to", type=click.Choice([s.value for s in FindingStatus]),
                  help="修改状态，如 无法整改、已提交整改、已整改")
    @click.option("--reason", default="", help="修改原因（设为“无法整改”时必填）")
    @click.option("--extend-deadline", "deadline", help="设定或延长整改期限（YYYY-MM-DD）")
    @click.option("--note", help="在整改记录中添加备注（不改变状态）")
    @click.option("--actor", default=lambda: __import__("os").environ.get("MONITOR_ACTOR", "审核人员"),
                  show_default="审核人员", help="操作人（也可用环境变量 MONITOR_ACTOR）")
    @click.option("--as-of", "as_of", help="记为哪一天的操作（YYYY-MM-DD），默认今天（北京时间）")
    @click.pass_obj
    def finding_cmd(obj, finding_id, to, reason, deadline, note, actor, as_of):
        """显示一个问题及其完整整改记录；审核人员可修改状态、延长期限或添加备注。"""
        from monitor.check import lifecycle
        from monitor.store import Finding

        store = obj.store(read_only=not (to or deadline or note))
        day = _as_of(as_of)
        try:
            if deadline:
                lifecycle.extend_deadline(store, finding_id, _as_of(deadline), actor=actor, reason=reason, as_of=day)
            if to:
                lifecycle.set_status(store, finding_id, to, actor=actor, reason=reason, as_of=day)
            if note:
                lifecycle.add_note(store, finding_id, note, actor=actor, as_of=day)
        except lifecycle.LifecycleError as exc:
            raise _cli()(str(exc), exit_code=2) from exc
        with store.session() as s:
            f = s.get(Finding, finding_id)
            if f is None:
                raise _cli()(f"没有编号为 {finding_id} 的问题；用 monitor findings --status all 查看全部问题", exit_code=2)
        c = console()
        c.print(f"问题 {f.id}：[{f.rule} {f.severity}] {f.evidence}")
        for label, value in (("单位", f.unit), ("网站/账号", f.site), ("链接", f.url),
                             ("所在页面", f.source_url or "—"), ("状态", f.status),
                             ("整改期限", f.deadline.isoformat() if f.deadline else "—"),
                             ("首次发现", f.first_seen.isoformat()), ("最近发现", f.last_seen.isoformat()),
                             ("发现次数", str(f.occurrences)),
                             ("整改完成", f.fixed_on.isoformat() if f.fixed_on else "—")):
            click.echo(f"  {label}：{value}")
        click.echo("整改记录：")
        from monitor.notices.ledger import event_line

        for e in lifecycle.history(store, finding_id):  # one line each, whole, so it can be grepped and copied
            click.echo(f"  {event_line(e)}（记录于 {e.at:%Y-%m-%d %H:%M:%S} UTC）")

    @group.command("recheck")
    @click.option("--site", "site_keys", multiple=True, help="只复查指定 key 的网站（可重复）")
    @click.option("--id", "finding_ids", multiple=True, type=int, help="只复查指定编号的问题（可重复）")
    @click.option("--as-of", "as_of", help="按哪一天复查（YYYY-MM-DD），默认今天（北京时间）")
    @click.option("--requested", is_flag=True, help="只复查单位在看板上提交整改、等待复查的问题")
    @click.pass_obj
    def recheck_cmd(obj, site_keys, finding_ids, as_of, requested):
        """只重新访问未整改问题的证据链接（失效链接、栏目列表页），据此更新整改状态。

        能确认：失效链接是否仍被引用、是否已可访问；栏目是否已更新或不再空白。
        不能确认：需要完整抓取的问题（首页不更新、内容问题等），以及无法访问的页面（状态保持不变）。
        """
        from monitor.check.recheck import recheck
        from monitor.web.recheck import mark_rechecked, pending_rechecks

        config = obj.config()
        store = obj.store(config)
        waiting = pending_rechecks(store)
        if requested:
            if not waiting:
                click.echo("没有等待复查的整改申请")
                return
            finding_ids = tuple({w.finding_id for w in waiting})
        r = recheck(store, config, as_of=_as_of(as_of), site_keys=site_keys, finding_ids=finding_ids)
        # a request is answered once its finding was re-checked (whatever the outcome)
        done = {*r.present, *r.absent} | {fid for fid, _ in r.unknown} | {fid for fid, _ in r.skipped}
        mark_rechecked(store, [w.id for w in waiting if w.finding_id in done])
        click.echo(f"复查 {r.checked} 个问题：仍存在 {len(r.present)} 个，未再发现 {len(r.absent)} 个"
                   f"（其中确认已整改 {r.fixed} 个），无法确认 {len(r.unknown)} 个；"
                   f"{len(r.skipped)} 个问题需完整抓取后复查")
        for fid, why in r.unknown:
            click.echo(f"  问题 {fid}：{why}")

    @group.command("evidence")
    @click.option("--id", "finding_ids", multiple=True, type=int, help="只为指定编号的问题截图（可重复）")
    @click.option("--refresh", is_flag=True, help="已有截图的问题也重新截图")
    @click.option("--as-of", "as_of", help="截图记为哪一天（YYYY-MM-DD），默认今天（北京时间）")
    @click.option("--out", "out_dir", help="截图副本目录，默认为 storage.notices_dir/evidence")
    @click.pass_obj
    def evidence_cmd(obj, finding_ids, refresh, as_of, out_dir):
        """用浏览器打开问题页面截图，并用红框标出问题（失效链接、最新一条信息、空白列表），留作通报证据。"""
        from monitor.crawl.evidence import take_evidence

        config = obj.config()
        store = obj.store(config)
        r = take_evidence(store, config, as_of=_as_of(as_of), finding_ids=finding_ids, out_dir=out_dir,
                          refresh=refresh)
        click.echo(f"已截图 {r.taken} 个问题" + (f"，{len(r.failed)} 个失败" if r.failed else ""))
        for fid, why in r.failed or []:
            click.echo(f"  问题 {fid}：{why}", err=True)

    @group.command("ledger")
    @click.option("--month", required=True, help="台账月份，YYYY-MM，如 2026-11")
    @click.option("--as-of", "as_of", help="统计截至哪一天（YYYY-MM-DD），默认该月最后一天或今天")
    @click.option("--unit", help="只导出某个单位")
    @click.option("--out", "out_dir", help="输出目录，默认为配置中的 storage.notices_dir")
    @click.pass_obj
    def ledger_cmd(obj, month, as_of, unit, out_dir):
        """导出整改台账（xlsx）：汇总表加每个单位一张表，含每个问题的完整整改记录。"""
        from monitor.notices.ledger import build_ledger
        from monitor.notices.notice import month_bounds
        from reports.ledger import write_ledger

        config = obj.config()
        store = obj.store(config)
        try:
            _, last = month_bounds(month)
        except ValueError as exc:
            raise _cli()(str(exc), exit_code=2) from exc
        day = _as_of(as_of) if as_of else min(_as_of(None), last)
        view = build_ledger(store, config, month=month, as_of=day, unit=unit)
        path = write_ledger(view, out_dir or config.storage.notices_dir)
        click.echo(f"整改台账已生成：{path}（{len(view.rows)} 个问题）")
