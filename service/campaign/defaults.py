"""Default rules of a campaign year (年度创建规则), taken from the campaign plan.

The ten standards (十好) and their scoring criteria are word for word those of attachment 2
(“平安家庭”创建评分表); the phases are those of 五、工作任务. Rules the plan leaves open (pass
mark, 示范户 mark, veto items, notice length, review cycle) get documented defaults here and are
stored per year, so a district can change them without touching code.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, model_validator


class StandardText(BaseModel):
    """一条创建标准 (one of the 十好): its title, points and scoring criteria."""

    title: str
    points: int = Field(default=10, ge=1, le=100)
    criteria: str


TEN_STANDARDS: tuple[StandardText, ...] = (
    StandardText(
        title="学法用法无违法，家庭学习好",
        criteria="尊重知识，热爱学习，学法、用法，遵守国家法律法规及村规民约，家庭成员中无违法犯罪行为。",
    ),
    StandardText(
        title="尊老爱幼无暴力，家庭和睦好",
        criteria=(
            "建立平等、民主、和睦、友爱的家庭关系，家庭成员之间和睦相处，尊老爱幼，互敬互爱、互信互勉、"
            "互谅互让，营造积极进取、健康向上的良好家庭环境。"
        ),
    ),
    StandardText(
        title="邻里和睦无纠纷，家庭美德好",
        criteria=(
            "邻里之间团结友爱、融洽相处、互帮互助，不做损害邻居的事，自觉维护好小区环境卫生，"
            "在邻里之间有较高的评价。"
        ),
    ),
    StandardText(
        title="崇尚科学无邪教，家庭文明好",
        criteria=(
            "崇尚科学无邪教和迷信，家庭成员中没有参与“法轮功”等邪教组织活动，崇尚文明，遵守法规和公德，"
            "养成文明、健康、科学的生活方式。"
        ),
    ),
    StandardText(
        title="勤俭节约无奢侈，家庭节约好",
        criteria=(
            "破除陈规陋习，提倡婚事新办、丧事简办、厚养薄葬，家庭成员自觉发扬艰苦奋斗的优良传统，"
            "做到勤劳致富、勤俭节约、合理消费、科学治家。"
        ),
    ),
    StandardText(
        title="自我防范无隐患，家庭安全好",
        criteria=(
            "熟知防火、防盗、防抢、防爆、防自然灾害、防交通事故等防范知识，增强防范意识，加强防范措施，"
            "提高自我防范能力，避免各类事故发生，确保自身和公共安全。"
        ),
    ),
    StandardText(
        title="依法维权无“闹访”，家庭守法好",
        criteria="依照法律维护自己的合法权益，不无理取闹、不越级上访、不违法上访、不煽动串连、不鲁莽从事。",
    ),
    StandardText(
        title="环境优雅无乱占，家庭环境好",
        criteria=(
            "家庭成员自觉搞好家庭卫生、个人卫生、环境卫生;居住环境优雅，无乱搭乱建，"
            "无违法侵占集体和邻居地权物权现象。"
        ),
    ),
    StandardText(
        title="关爱生命无“六害”，家庭健康好",
        criteria=(
            "家庭成员不传播制售淫秽录像书籍、不利用网吧诱导毒害未成年人、不留客卖淫嫖娼、"
            "不参与和组织赌博、不种植禁种植物、不吸食和贩卖毒品，自觉抵制社会丑恶现象并与它们作斗争。"
        ),
    ),
    StandardText(
        title="参与公益无私利，家庭奉献好",
        criteria="关心公益事业，积极参与各类公益活动，奉献友爱，见义勇为，为维护公共安全做贡献。",
    ),
)


class Phase(BaseModel):
    """工作阶段: one phase of the year's work (五、工作任务) with its dates."""

    name: str
    starts: dt.date
    ends: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.ends < self.starts:
            raise ValueError(f"阶段“{self.name}”的结束日期 {self.ends} 早于开始日期 {self.starts}")
        return self


def default_phases(year: int) -> list[Phase]:
    """Return the four phases of the plan's 五、工作任务 for ``year``."""
    d = dt.date
    return [
        Phase(name="全面宣传、营造氛围", starts=d(year, 1, 1), ends=d(year, 12, 31)),
        Phase(name="完善机制、提升质量", starts=d(year, 2, 1), ends=d(year, 3, 31)),
        Phase(name="分类指导，面上推动", starts=d(year, 4, 1), ends=d(year, 5, 15)),
        Phase(name="不断深化，总结验收", starts=d(year, 5, 16), ends=d(year, 5, 31)),
    ]


class CampaignRules(BaseModel):
    """年度创建规则: the settings of one campaign year, with the defaults documented in the README."""

    district_title: str = Field(description="用于表头与公文的地区名称，如“清河区”")
    pass_mark: int = Field(default=90, ge=0, le=100, description="“平安家庭”合格分（总分达到即可推荐）")
    model_mark: int = Field(default=95, ge=0, le=100, description="“平安家庭示范户”推荐分")
    veto_items: list[int] = Field(
        default_factory=lambda: [1, 2, 4, 9],
        description="一票否决项（序号）：该项未得满分即不得命名",
    )
    veto_floor: int = Field(
        default=6,
        ge=1,
        le=100,
        description="一票否决线：一票否决项得分低于此分即不得命名（写满分值则该项未得满分即否决）",
    )
    participation_target: float = Field(default=0.90, gt=0, le=1, description="参与率目标（户）")
    notice_working_days: int = Field(default=5, ge=1, le=30, description="公示期（工作日）")
    review_cycle_years: int = Field(default=2, ge=1, le=5, description="滚动管理复核周期（年）")
    rectification_days: int = Field(default=90, ge=1, le=365, description="限时整改期限（日）")
    report_deadline: dt.date = Field(description="命名决定、推荐花名册报区妇联的截止日期")
    evaluation_months: list[int] = Field(default_factory=lambda: [6, 11], description="问效评估月份")
    standards: list[StandardText] = Field(default_factory=lambda: list(TEN_STANDARDS))
    phases: list[Phase]

    def veto_line(self, number: int) -> int:
        """Return the score below which veto item ``number`` fails the household (at most its full points)."""
        return min(self.veto_floor, self.standards[number - 1].points)

    @model_validator(mode="after")
    def _consistent(self) -> CampaignRules:
        if self.model_mark < self.pass_mark:
            raise ValueError(f"示范户推荐分 {self.model_mark} 不能低于合格分 {self.pass_mark}")
        total = sum(s.points for s in self.standards)
        if self.pass_mark > total:
            raise ValueError(f"合格分 {self.pass_mark} 超过满分 {total}")
        for item in self.veto_items:
            if not 1 <= item <= len(self.standards):
                raise ValueError(f"一票否决项序号 {item} 不在 1–{len(self.standards)} 之间")
        for month in self.evaluation_months:
            if not 1 <= month <= 12:
                raise ValueError(f"问效评估月份 {month} 无效")
        return self

    @classmethod
    def defaults(cls, year: int, district_title: str) -> CampaignRules:
        """Return the default rules for ``year``."""
        return cls(
            district_title=district_title,
            report_deadline=dt.date(year, 5, 15),
            phases=default_phases(year),
        )
