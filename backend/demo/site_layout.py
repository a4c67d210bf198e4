"""Where things are on the two demo site plans (1600×1000 px at 0.5 m per pixel), as data."""

from __future__ import annotations

from dataclasses import dataclass

from backend.demo.records import LonLat, Point, Roads

PLAN_SIZE = (1600, 1000)
METRES_PER_PIXEL = 0.5


@dataclass(frozen=True)
class AreaSpec:
    name: str
    hazard_class: str
    workshop_code: str
    polygon: tuple[Point, ...]


@dataclass(frozen=True)
class SiteSpec:
    code: str
    origin: LonLat  # WGS-84 (lon, lat) of pixel (0, 0), inside Nanjing Chemical Industry Park
    roads: Roads
    areas: tuple[AreaSpec, ...]
    assembly_points: tuple[tuple[str, Point], ...]


def rect(x0: int, y0: int, x1: int, y1: int) -> tuple[Point, ...]:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


NJ1 = SiteSpec(
    code="NJ1",
    origin=(118.7385, 32.2585),
    roads=Roads(fence=(30, 30, 1570, 970), horizontal=(330, 660), vertical=(420, 820, 1220), width=20),
    areas=(
        AreaSpec("中心控制室", "general", "NJ1-UTL", rect(60, 70, 300, 230)),
        AreaSpec("聚合装置区", "fire_class_a", "NJ1-PLY",
                 ((450, 50), (700, 50), (700, 120), (790, 120), (790, 300), (450, 300))),
        AreaSpec("精馏塔区", "fire_class_a", "NJ1-DST",
                 ((850, 50), (1190, 50), (1190, 300), (880, 300), (850, 270))),
        AreaSpec("精馏中间罐组", "tank_farm_dike", "NJ1-DST", rect(1250, 60, 1540, 300)),
        AreaSpec("主管廊", "pipe_rack", "NJ1-UTL", rect(445, 352, 1195, 372)),
        AreaSpec("聚合釜R-101检修区", "confined_space", "NJ1-PLY", rect(450, 395, 600, 520)),
        AreaSpec("聚合后处理厂房", "fire_class_b", "NJ1-PLY", rect(620, 395, 790, 630)),
        AreaSpec("导热油炉房", "fire_class_b", "NJ1-UTL", rect(850, 395, 1010, 560)),
        AreaSpec("循环水站", "general", "NJ1-UTL", rect(1030, 395, 1190, 630)),
        AreaSpec("变配电所", "general", "NJ1-UTL", rect(1250, 360, 1420, 500)),
        AreaSpec("维修车间厂房", "general", "NJ1-MNT", rect(50, 360, 390, 560)),
        AreaSpec("事故应急池", "confined_space", "NJ1-UTL", rect(450, 690, 640, 820)),
        AreaSpec("备品备件库", "general", "NJ1-MNT", rect(850, 690, 1190, 900)),
        AreaSpec("危废暂存间", "fire_class_b", "NJ1-MNT", rect(1250, 690, 1400, 800)),
    ),
    assembly_points=(
        ("1号紧急集合点（南门）", (220, 720)),
        ("2号紧急集合点（东区）", (1480, 610)),
        ("3号紧急集合点（北区）", (355, 285)),
    ),
)  # fmt: skip

NJ2 = SiteSpec(
    code="NJ2",
    origin=(118.7505, 32.2575),
    roads=Roads(fence=(30, 30, 1570, 970), horizontal=(360, 700), vertical=(560, 1100), width=20),
    areas=(
        AreaSpec("甲类储罐区A罐组", "tank_farm_dike", "NJ2-TNK", rect(50, 50, 530, 330)),
        AreaSpec("甲类储罐区B罐组", "tank_farm_dike", "NJ2-TNK", rect(590, 50, 1070, 330)),
        AreaSpec("罐区泵房", "fire_class_a", "NJ2-TNK", rect(1130, 60, 1300, 200)),
        AreaSpec("罐区控制室", "general", "NJ2-TNK", rect(1340, 60, 1540, 200)),
        AreaSpec("罐区管廊", "pipe_rack", "NJ2-TNK", rect(45, 385, 1555, 403)),
        AreaSpec("汽车装卸栈台", "fire_class_a", "NJ2-LOG", rect(50, 425, 530, 560)),
        AreaSpec("甲类仓库", "fire_class_a", "NJ2-LOG", rect(590, 425, 820, 670)),
        AreaSpec("乙类仓库", "fire_class_b", "NJ2-LOG", rect(845, 425, 1070, 670)),
        AreaSpec("消防泵房", "general", "NJ2-TNK", rect(1130, 425, 1300, 560)),
        AreaSpec("污水处理站", "general", "NJ2-ENV", rect(50, 730, 330, 940)),
        AreaSpec("调节池", "confined_space", "NJ2-ENV", rect(355, 730, 530, 860)),
        AreaSpec("RTO废气焚烧装置", "fire_class_b", "NJ2-ENV", rect(590, 730, 820, 900)),
        AreaSpec("空桶堆场", "general", "NJ2-LOG", rect(845, 730, 1070, 880)),
    ),
    assembly_points=(
        ("1号紧急集合点（罐区东门）", (1420, 620)),
        ("2号紧急集合点（东南）", (1300, 850)),
        ("3号紧急集合点（西南）", (460, 910)),
        ("4号紧急集合点（西门）", (300, 640)),
    ),
)
SITE_SPECS = (NJ1, NJ2)
