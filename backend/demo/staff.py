"""Who works at the demo plant: people, their scoped roles, B角 deputies and demo accounts."""

from __future__ import annotations

import random
from dataclasses import replace

from backend.demo.identity import IdentityMaker, credit_code
from backend.demo.org_layout import CONTRACTORS, ENTERPRISE, SITES, WORKSHOPS
from backend.demo.records import DemoAccount, DemoContractor, DemoDeputy, DemoPerson

# Roles that sign permits; each holder gets a B角 in the same scope (DOMAIN.md glossary).
APPROVER_ROLES = ("team_leader", "safety_officer", "workshop_director", "vice_president")
ROLE_LABELS = {
    "admin": "系统管理员",
    "vice_president": "分管副总",
    "hr": "人事",
    "workshop_director": "车间主任",
    "safety_officer": "安全员",
    "team_leader": "班组长",
    "guardian": "监护人",
    "inspector": "巡检员",
    "worker": "作业人员",
}
# Demo accounts get fixed names so a presenter can say "sign in as 刘卫东": (name, male).
ACCOUNT_NAMES = {
    "admin": ("陈立新", True),
    "vice_president": ("赵国栋", True),
    "hr": ("林晓燕", False),
    "workshop_director": ("刘卫东", True),
    "safety_officer": ("孙志强", True),
    "team_leader": ("张海军", True),
    "guardian": ("吴建华", True),
    "inspector": ("郑伟", True),
    "worker": ("李强", True),
}
DEMO_WORKSHOP = "NJ1-PLY"  # the approvers' accounts share one workshop so one permit can run end to end
WELDER_TEAM = "NJ1-MNT-T2"
SUSPENDED, LEFT = 4, 5


class StaffBuilder:
    """Collects people in creation order; every random draw goes through one seeded RNG."""

    def __init__(self, rng: random.Random, ids: IdentityMaker):
        self.rng = rng
        self.ids = ids
        self.people: list[DemoPerson] = []
        self.deputies: list[DemoDeputy] = []
        self.accounts: list[DemoAccount] = []
        for name, _male in ACCOUNT_NAMES.values():
            ids.reserve_name(name)

    def add(
        self,
        unit: str,
        title: str,
        roles: list[tuple[str, str]],
        *,
        account: str | None = None,
        ages: tuple[int, int] = (20, 58),
        male_share: float = 0.85,
        contractor: str | None = None,
    ) -> DemoPerson:
        if account:
            name, male = ACCOUNT_NAMES[account]
        else:
            male = self.rng.random() < male_share
            name = self.ids.name(male)
        person = DemoPerson(
            name=name,
            id_number=self.ids.id_number(male, *ages),
            phone=self.ids.phone(),
            male=male,
            unit_code=unit,
            title=title,
            roles=tuple(roles),
            contractor=contractor,
        )
        self.people.append(person)
        if account:
            self.accounts.append(DemoAccount(account, ROLE_LABELS[account], person.id_number))
        return person

    def approver(
        self,
        unit: str,
        title: str,
        role: str,
        deputy_title: str,
        *,
        team_member: bool = False,
        account: str | None = None,
        ages: tuple[int, int] = (30, 55),
    ) -> None:
        """An approver and their B角. In a team both also work there; above a team the B角
        oversees the same scope as an inspector, so they see what they may have to sign."""
        base = [("worker", unit)] if team_member else []
        principal = self.add(unit, title, [*base, (role, unit)], account=account, ages=ages)
        deputy = self.add(unit, deputy_title, base or [("inspector", unit)], ages=(30, 55))
        self.deputies.append(DemoDeputy(principal.id_number, deputy.id_number, role, unit))


def _enterprise(b: StaffBuilder) -> None:
    ent = ENTERPRISE[0]
    b.approver(ent, "分管安全副总经理", "vice_president", "安全总监", account="vice_president", ages=(45, 58))
    b.add(ent, "人力资源部经理", [("hr", ent)], account="hr", ages=(32, 52))
    b.add(ent, "培训专员", [("hr", ent)], male_share=0.4, ages=(24, 45))
    b.add(ent, "信息中心系统管理员", [("admin", ent)], account="admin", ages=(28, 50))
    for site, _name in SITES:
        b.approver(site, "安全环保部安全员", "safety_officer", "安全环保部副部长")
        for i in range(2):
            account = "inspector" if site == "NJ1" and i == 0 else None
            b.add(site, "区域巡检员", [("inspector", site)], account=account, ages=(25, 55))


def _workshops(b: StaffBuilder) -> None:
    for _site, ws, _name, teams in WORKSHOPS:
        demo = ws == DEMO_WORKSHOP
        b.approver(
            ws,
            "车间主任",
            "workshop_director",
            "车间副主任",
            account="workshop_director" if demo else None,
            ages=(36, 56),
        )
        b.approver(
            ws,
            "车间安全员",
            "safety_officer",
            "车间安全技术员",
            account="safety_officer" if demo else None,
            ages=(28, 55),
        )
        for index, (suffix, _team_name, trade) in enumerate(teams):
            team = f"{ws}-{suffix}"
            leader_account = "team_leader" if demo and index == 0 else None
            b.approver(team, "班长", "team_leader", "副班长", team_member=True, account=leader_account)
            if index < 2:  # two guardians per workshop, each also a worker in a team
                guardian_account = "guardian" if demo and index == 1 else None
                b.add(
                    team,
                    f"监护人·{trade}",
                    [("worker", team), ("guardian", ws)],
                    account=guardian_account,
                    ages=(30, 56),
                )
            if team == WELDER_TEAM:
                b.add(team, "焊工", [("worker", team)], account="worker", ages=(26, 45))
            for _ in range(b.rng.randint(8, 11)):
                b.add(team, trade, [("worker", team)])


def _contractors(b: StaffBuilder) -> list[DemoContractor]:
    companies = []
    for name, region, teams, trade in CONTRACTORS:
        company = DemoContractor(name, credit_code(b.rng, region))
        companies.append(company)
        for team in teams:
            for _ in range(b.rng.randint(7, 10)):
                b.add(
                    team,
                    trade,
                    [("worker", team)],
                    contractor=company.credit_code,
                    ages=(20, 55),
                    male_share=0.95,
                )
    return companies


def _leavers(b: StaffBuilder) -> None:
    """A few plain workers suspended or gone, so the lists show every employment state
    (never a demo account or a B角, who must be there to stand in)."""
    taken = {a.id_number for a in b.accounts} | {d.deputy for d in b.deputies}
    plain = [
        i
        for i, p in enumerate(b.people)
        if p.roles == (("worker", p.unit_code),) and p.id_number not in taken
    ]
    chosen = b.rng.sample(plain, SUSPENDED + LEFT)
    for n, i in enumerate(chosen):
        b.people[i] = replace(b.people[i], employment="suspended" if n < SUSPENDED else "left")


def build_staff(
    rng: random.Random, ids: IdentityMaker
) -> tuple[list[DemoContractor], list[DemoPerson], list[DemoDeputy], list[DemoAccount]]:
    """Everyone at the plant, in a fixed order, with the demo accounts in presentation order."""
    b = StaffBuilder(rng, ids)
    _enterprise(b)
    _workshops(b)
    companies = _contractors(b)
    _leavers(b)
    order = list(ROLE_LABELS)
    return companies, b.people, b.deputies, sorted(b.accounts, key=lambda a: order.index(a.role))
