"""The demo portal's 政府信息公开工作年度报告, in the 2021 format (国办公开办函〔2021〕30号).

Its tables are consistent; the planted problem is in the narrative, which states
a number of new requests that the table does not carry (A-6).
"""

from __future__ import annotations

from datetime import date

# Table 三, rows × (自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计)
_T3 = [
    ("一、本年新收政府信息公开申请数量", None, (14, 3, 0, 0, 1, 0, 18)),
    ("二、上年结转政府信息公开申请数量", None, (2, 0, 0, 0, 0, 0, 2)),
]
_RESULTS = [
    ("（一）予以公开", None, (6, 1, 0, 0, 0, 0, 7)),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, (2, 0, 0, 0, 0, 0, 2)),
    ("（三）不予公开", "1.属于国家秘密", (0,) * 7),
    (None, "2.其他法律行政法规禁止公开", (0,) * 7),
    (None, "3.危及“三安全一稳定”", (0,) * 7),
    (None, "4.保护第三方合法权益", (1, 0, 0, 0, 0, 0, 1)),
    (None, "5.属于三类内部事务信息", (0,) * 7),
    (None, "6.属于四类过程性信息", (0,) * 7),
    (None, "7.属于行政执法案卷", (0,) * 7),
    (None, "8.属于行政查询事项", (0,) * 7),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", (4, 1, 0, 0, 1, 0, 6)),
    (None, "2.没有现成信息需要另行制作", (1, 0, 0, 0, 0, 0, 1)),
    (None, "3.补正后申请内容仍不明确", (0,) * 7),
    ("（五）不予处理", "1.信访举报投诉类申请", (0,) * 7),
    (None, "2.重复申请", (1, 0, 0, 0, 0, 0, 1)),
    (None, "3.要求提供公开出版物", (0,) * 7),
    (None, "4.无正当理由大量反复申请", (0,) * 7),
    (None, "5.要求行政机关确认或重新出具已获取信息", (0,) * 7),
    ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", (1, 0, 0, 0, 0, 0, 1)),
    (None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", (0,) * 7),
    (None, "3.其他", (0,) * 7),
    ("（七）总计", None, (16, 2, 0, 0, 1, 0, 19)),
]
_CARRIED_OUT = (0, 1, 0, 0, 0, 0, 1)
_SPANS = {"（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5, "（六）其他处理": 3}


def _cells(values) -> str:
    return "".join(f"<td>{v}</td>" for v in values)


def report_body(organisation: str, year: int, published: date, *, planted: bool) -> str:
    """The article body of the report (the page chrome is the site's)."""
    stated_new = 20 if planted else 18  # the table says 18
    rows = []
    for label, _, values in _T3:
        rows.append(f'<tr><td colspan="3">{label}</td>{_cells(values)}</tr>')
    first = True
    for group, item, values in _RESULTS:
        lead = '<td rowspan="22">三、本年度办理结果</td>' if first else ""
        first = False
        if item is None:
            rows.append(f'<tr>{lead}<td colspan="2">{group}</td>{_cells(values)}</tr>')
        elif group is not None:
            rows.append(f'<tr>{lead}<td rowspan="{_SPANS[group]}">{group}</td><td>{item}</td>{_cells(values)}</tr>')
        else:
            rows.append(f"<tr><td>{item}</td>{_cells(values)}</tr>")
    rows.append(f'<tr><td colspan="3">四、结转下年度继续办理</td>{_cells(_CARRIED_OUT)}</tr>')
    return f"""
<h1>{organisation}{year}年政府信息公开工作年度报告</h1>
<div class="info">发布日期：{published:%Y-%m-%d}　来源：{organisation}办公室</div>
<div class="content">
<p>本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）要求编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。</p>
<p>一、总体情况</p>
<p>（一）主动公开情况。全年主动公开政府信息2356条，其中，门户网站发布1986条、政务新媒体发布370条。</p>
<p>（二）依申请公开情况。全年共收到政府信息公开申请{stated_new}件，上年结转2件，办结19件，结转下年度继续办理1件。</p>
<p>（三）政府信息管理情况。对现行有效的行政规范性文件进行清理，废止1件，新制发3件。</p>
<p>（四）政府信息公开平台建设情况。持续完善县政府门户网站政府信息公开专栏。</p>
<p>（五）监督保障情况。本年度被申请行政复议2件，其中结果维持1件、尚未审结1件；被提起行政诉讼1件，尚未审结。</p>
<p>二、主动公开政府信息情况</p>
<table border="1">
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>行政规范性文件</td><td>3</td><td>1</td><td>22</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">356</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政处罚</td><td colspan="3">48</td></tr>
<tr><td>行政强制</td><td colspan="3">2</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">12.5</td></tr>
</table>
<p>三、收到和处理政府信息公开申请情况</p>
<table border="1">
<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
{"".join(rows)}
</table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<table border="1">
<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td><td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>
<tr><td>1</td><td>0</td><td>0</td><td>1</td><td>2</td><td>0</td><td>0</td><td>0</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
</table>
<p>五、存在的主要问题及改进情况</p>
<p>一是政策解读形式较为单一；二是部分栏目信息更新不够及时。下一步将丰富解读形式，建立栏目更新提醒机制。</p>
<p>六、其他需要报告的事项</p>
<p>本年度未收取信息处理费。</p>
</div>"""


def report_date(today: date) -> date:
    """Published on 20 January, the latest January that has passed: always on time, whatever the demo's day."""
    this_year = date(today.year, 1, 20)
    return this_year if today >= this_year else date(today.year - 1, 1, 20)
