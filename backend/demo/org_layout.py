"""The demo enterprise's organisation tree and contractor companies, as data."""

from __future__ import annotations

from backend.demo.records import DemoUnit

ENTERPRISE = ("TZCHEM", "江苏特作化工有限公司")
SITES = (
    ("NJ1", "南京化工园区一厂区"),
    ("NJ2", "南京化工园区二厂区（罐区）"),
)
# (site, code, name, ((team suffix, team name, 工种 of its workers), ...))
WORKSHOPS = (
    ("NJ1", "NJ1-PLY", "聚合车间", (
        ("T1", "聚合一班", "化工操作工"), ("T2", "聚合二班", "化工操作工"),
        ("T3", "聚合三班", "化工操作工"), ("T4", "聚合四班", "化工操作工"),
    )),
    ("NJ1", "NJ1-DST", "精馏车间", (
        ("T1", "精馏一班", "化工操作工"), ("T2", "精馏二班", "化工操作工"),
        ("T3", "精馏三班", "化工操作工"), ("T4", "精馏四班", "化工操作工"),
    )),
    ("NJ1", "NJ1-UTL", "公用工程车间", (
        ("T1", "动力班", "司炉工"), ("T2", "空压制氮班", "压缩机操作工"), ("T3", "电气班", "电工"),
    )),
    ("NJ1", "NJ1-MNT", "维修车间", (
        ("T1", "钳工班", "钳工"), ("T2", "焊工班", "焊工"),
        ("T3", "仪表班", "仪表工"), ("T4", "起重班", "起重工"),
    )),
    ("NJ2", "NJ2-TNK", "罐区车间", (
        ("T1", "储运一班", "储运操作工"), ("T2", "储运二班", "储运操作工"),
        ("T3", "储运三班", "储运操作工"), ("T4", "储运四班", "储运操作工"),
    )),
    ("NJ2", "NJ2-LOG", "仓储物流车间", (
        ("T1", "甲类库班", "仓库保管员"), ("T2", "装卸班", "装卸工"), ("T3", "危化品运输班", "危化品押运员"),
    )),
    ("NJ2", "NJ2-ENV", "环保车间", (
        ("T1", "污水处理班", "污水处理工"), ("T2", "废气处理班", "焚烧炉操作工"),
    )),
)  # fmt: skip
# 外包单位: (name, region of registration, teams its crews work in, 工种 of its workers)
CONTRACTORS = (
    ("江苏安联石化检修安装有限公司", "320116", ("NJ1-PLY-T1", "NJ1-DST-T2", "NJ1-MNT-T1"), "管工"),
    ("南京宏达防腐保温工程有限公司", "320111", ("NJ1-MNT-T2", "NJ1-MNT-T4", "NJ1-UTL-T1"), "防腐保温工"),
    ("南京众诚储罐清洗服务有限公司", "320113", ("NJ2-TNK-T1", "NJ2-TNK-T3", "NJ2-ENV-T1"), "储罐清洗工"),
    ("扬州顺泰危险品物流有限公司", "321003", ("NJ2-LOG-T2", "NJ2-LOG-T3"), "危化品驾驶员"),
)


def org_units() -> tuple[DemoUnit, ...]:
    """Enterprise → sites → workshops → teams, parents before children."""
    ent_code, ent_name = ENTERPRISE
    units = [DemoUnit("enterprise", ent_code, ent_name, None)]
    units += [DemoUnit("site", code, name, ent_code) for code, name in SITES]
    for site, code, name, _teams in WORKSHOPS:
        units.append(DemoUnit("workshop", code, name, site))
    for _site, code, _name, teams in WORKSHOPS:
        units += [DemoUnit("team", f"{code}-{suffix}", team_name, code) for suffix, team_name, _ in teams]
    return tuple(units)
