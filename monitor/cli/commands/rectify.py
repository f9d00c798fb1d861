"""Rectification (整改): one finding and its history, auditors' status changes, recheck, evidence, ledger."""

from __future__ import annotations

import click
from monitor.model import FindingStatus


def register(group: click.Group) -> None:
    from monitor.cli.commands.core import _as_of, _cli, console

    @group.command("finding")
    @click.argument("finding_ids", type=int, nargs=-1)
    @click.option(
        "--set",
        "to",
        type=click.Choice([s.value for s in FindingStatus]),
        help="修改状态，如 不成立（误报）、异议中（单位提出异议）、无法整改、已提交整改、已整改",
    )
    @click.option("--reason", default="", help="修改原因（不成立、异议中、无法整改、驳回异议时必填）")
    @click.option("--confirm", is_flag=True, help="确认待人工确认的候选问题（改为待整改，计入通报）")
    @click.option("--reject-appeal", is_flag=True, help="驳回单位的异议，问题回到提出异议前的状态")
    @click.option("--rule", help="批量：按规则编号选择问题（与 --site、--unit、--status 可组合）")
    @click.option("--site", "site_key", help="批量：按网站或账号的 key 选择问题")
    @click.option("--unit", help="批量：按责任单位选择问题")
    @click.option("--status", "status", help="批量：按当前状态选择问题（open 为全部未整改）")
    @click.option("--extend-deadline", "deadline", help="设定或延长整改期限（YYYY-MM-DD）")
    @click.option("--note", help="在整改记录中添加备注（不改变状态）")
    @click.option(
        "--actor",
        default=lambda: __import__("os").environ.get("MONITOR_ACTOR", "审核人员"),
        show_default="审核人员",
        help="操作人（也可用环境变量 MONITOR_ACTOR）",
    )
    @click.option("--as-of", "as_of", help="记为哪一天的操作（YYYY-MM-DD），默认今天（北京时间）")
    @click.pass_obj
    def finding_cmd(
        obj, finding_ids, to, reason, confirm, reject_appeal, rule, site_key, unit, status, deadline, note, actor, as_of
    ):
        """显示问题及其完整整改记录；审核人员可修改状态（含“不成立”）、确认候选问题、处理异议、延长期限或添加备注。

        一个编号：显示该问题。多个编号或 --rule/--site/--unit/--status 筛选：对选中的全部问题执行同一操作
        （同一个原因，每个问题各记一条处理记录）。
        """
        from monitor.check import lifecycle

        store = obj.store(read_only=not (to or deadline or note))
        day = _as_of(as_of)
        actions = sum(bool(x) for x in (to, confirm, reject_appeal))
        if actions > 1:
            raise _cli()("--set、--confirm、--reject-appeal 一次只能用一个", exit_code=2)
        target = FindingStatus.OPEN.value if confirm else (lifecycle.REJECT_APPEAL if reject_appeal else to)
        bulk = len(finding_ids) != 1 or any((rule, site_key, unit, status))
        if not bulk:
            _one(store, finding_ids[0], target, reason, deadline, note, actor, day, confirm)
            return
        if deadline or note:
            raise _cli()(
                "批量操作只能修改状态（--set、--confirm、--reject-appeal）；延期和备注请逐个问题进行", exit_code=2
            )
        try:
            ids = lifecycle.select_findings(store, ids=finding_ids, rule=rule, site=site_key, unit=unit, status=status)
        except lifecycle.LifecycleError as exc:
            raise _cli()(str(exc), exit_code=2) from exc
        if not target:
            from monitor.cli.commands.core import export_rows, findings_table

            rows = [r for r in export_rows(store, status="all", verdict=None) if r["id"] in set(ids)]
            console().print(findings_table(rows, f"选中的问题（{len(rows)} 个）"))
            return
        if not ids:
            raise _cli()("没有符合条件的问题", exit_code=2)
        if confirm:
            ids = [i for i in ids if _status(store, i) == FindingStatus.PENDING.value]
        done, failed = lifecycle.bulk_set(
            store, ids, target, actor=actor, reason=reason or ("审核人员确认问题成立" if confirm else ""), as_of=day
        )
        click.echo(
            f"已将 {len(done)} 个问题{'驳回异议' if reject_appeal else f'改为“{target}”'}"
            + (f"，{len(failed)} 个未改" if failed else "")
        )
        for fid, why in failed[:50]:
            click.echo(f"  问题 {fid}：{why}", err=True)
        if failed and not done:
            raise SystemExit(2)

    def _status(store, fid: int) -> str | None:
        from monitor.store import Finding

        with store.session() as s:
            f = s.get(Finding, fid)
            return f.status if f is not None else None

    def _one(store, finding_id, to, reason, deadline, note, actor, day, confirm):
        from monitor.check import lifecycle
        from monitor.store import Finding

        try:
            if deadline:
                lifecycle.extend_deadline(store, finding_id, _as_of(deadline), actor=actor, reason=reason, as_of=day)
            if confirm and _status(store, finding_id) != FindingStatus.PENDING.value:
                raise lifecycle.LifecycleError(
                    f"问题 {finding_id} 当前为“{_status(store, finding_id)}”，不是待人工确认的候选问题"
                )
            if to == lifecycle.REJECT_APPEAL:
                lifecycle.reject_appeal(store, finding_id, actor=actor, reason=reason, as_of=day)
            elif to:
                lifecycle.set_status(
                    store,
                    finding_id,
                    to,
                    actor=actor,
                    as_of=day,
                    reason=reason or ("审核人员确认问题成立" if confirm else ""),
                )
            if note:
                lifecycle.add_note(store, finding_id, note, actor=actor, as_of=day)
        except lifecycle.LifecycleError as exc:
            raise _cli()(str(exc), exit_code=2) from exc
        with store.session() as s:
            f = s.get(Finding, finding_id)
            if f is None:
                raise _cli()(
                    f"没有编号为 {finding_id} 的问题；用 monitor findings --status all 查看全部问题", exit_code=2
                )
        c = console()
        c.print(f"问题 {f.id}：[{f.rule} {f.severity}] {f.evidence}", markup=False)
        for label, value in (
            ("单位", f.unit),
            ("网站/账号", f.site),
            ("链接", f.url),
            ("所在页面", f.source_url or "—"),
            ("状态", f.status),
            ("整改期限", f.deadline.isoformat() if f.deadline else "—"),
            ("首次发现", f.first_seen.isoformat()),
            ("最近发现", f.last_seen.isoformat()),
            ("发现次数", str(f.occurrences)),
            ("整改完成", f.fixed_on.isoformat() if f.fixed_on else "—"),
        ):
            click.echo(f"  {label}：{value}")
        click.echo("整改记录：")
        from monitor.notices.ledger import event_line
        from monitor.notices.notice import beijing

        for e in lifecycle.history(store, finding_id):  # one line each, whole, so it can be grepped and copied
            click.echo(f"  {event_line(e)}（记录于北京时间 {beijing(e.at)}）")

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
        click.echo(
            f"复查 {r.checked} 个问题：仍存在 {len(r.present)} 个，未再发现 {len(r.absent)} 个"
            f"（其中确认已整改 {r.fixed} 个），无法确认 {len(r.unknown)} 个；"
            f"{len(r.skipped)} 个问题需完整抓取后复查"
        )
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
        from monitor.cli.progress import screenshots_with_progress as run_with_progress
        from monitor.crawl.evidence import summary_lines

        config = obj.config()
        store = obj.store(config)
        r = run_with_progress(
            store, config, as_of=_as_of(as_of), finding_ids=finding_ids, out_dir=out_dir, refresh=refresh
        )
        head, *details = summary_lines(r)
        click.echo(head)
        for line in details:
            click.echo(line, err=True)

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
