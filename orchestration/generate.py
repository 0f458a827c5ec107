"""Deterministic synthetic landing data that follows landing contract v1.

``generate`` writes the six landing sources (customers, transactions split into one
file per month, balances, credit reports, interactions with calls, leads) for a given number of
customers and months ending at an as-of date. Everything is drawn with numpy from
one seed (a child stream per source), so the same arguments give byte-identical
files. No Python loop runs per transaction: counts are Poisson draws per customer,
month and type, expanded with ``np.repeat``; DuckDB formats and writes the CSVs.

The numbers are shaped so every tier of DESIGN.md §1 has customers in it: wealth is
log-normal with a Pareto tail (card tiers 50k / 500k / 5M), a few percent hold no
accounts and no card (star points 0), credit scores sit mostly in 600-800, and the
debt-to-income and loan-to-value ratios spread around the rating thresholds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from contracts.landing import (
    CALL_OUTCOMES,
    INTERACTION_TYPES,
    LEAD_SOURCES,
    MONEY,
    NEED_STATUSES,
    PRODUCT_TYPES,
    SOURCES,
    TRANSACTION_TYPES,
    Source,
)

#: fixed default so the demo data is the same on every machine and every day.
DEFAULT_AS_OF = date(2026, 10, 31)
EARLIEST_ONBOARDING = np.datetime64("2005-01-01", "D")
#: median monthly average daily assets of an ordinary customer (CNY).
WEALTH_MEDIAN = 30_000.0

# --------------------------------------------------------------------------- reference data
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
GIVEN_M = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国志文博晨东亮海峰鸣成康星天达安岩"
)
GIVEN_F = "芳娜敏静丽艳娟霞秀玲燕婷雪琳慧颖倩洁琴红梅莉兰萍丹月蕾薇晶欣怡佳悦雨思婉瑶嘉璐露云凤莹"
EDUCATION = ("小学", "初中", "高中", "中专", "大专", "本科", "硕士", "博士")
EDUCATION_W = (4, 14, 18, 9, 20, 27, 7, 1)
# (occupation, risk class 1-6, weight, industry or None = any, minimum education index)
OCCUPATIONS = (
    ("办公室职员", 1, 16, None, 4),
    ("教师", 1, 6, "教育", 4),
    ("医生", 1, 3, "医疗卫生", 5),
    ("会计", 1, 5, "金融", 4),
    ("公务员", 1, 5, "公共管理", 5),
    ("工程师", 1, 6, "信息技术", 5),
    ("销售", 2, 10, "批发零售", 0),
    ("护士", 2, 3, "医疗卫生", 3),
    ("个体工商户", 2, 9, "批发零售", 0),
    ("农民", 2, 6, "农林牧渔", 0),
    ("厨师", 3, 3, "住宿餐饮", 0),
    ("司机", 3, 5, "交通运输", 0),
    ("快递员", 3, 4, "交通运输", 0),
    ("电工", 4, 2, "建筑业", 0),
    ("建筑工人", 4, 4, "建筑业", 0),
    ("渔民", 5, 1, "农林牧渔", 0),
    ("矿工", 5, 1, "采矿业", 0),
    ("高空作业", 6, 0.5, "建筑业", 0),
    ("爆破工", 6, 0.3, "采矿业", 0),
)
RETIRED = ("退休人员", 1)
# industry, weight, company-name suffix for corporate customers
INDUSTRIES = (
    ("制造业", 14, "制造"),
    ("批发零售", 12, "商贸"),
    ("信息技术", 9, "科技"),
    ("金融", 5, "投资管理"),
    ("建筑业", 8, "建设工程"),
    ("房地产", 5, "置业"),
    ("交通运输", 6, "物流"),
    ("住宿餐饮", 5, "餐饮管理"),
    ("农林牧渔", 5, "农业发展"),
    ("教育", 4, "教育咨询"),
    ("医疗卫生", 4, "医疗科技"),
    ("文化娱乐", 3, "文化传媒"),
    ("能源", 2, "能源"),
    ("采矿业", 1, "矿业"),
    ("公共管理", 2, "服务"),
)
COMPANY_WORDS = (
    "恒达", "华信", "金源", "鼎盛", "宏图", "瑞丰", "嘉和", "天成", "永安", "博远", "中联", "新辉",
    "万通", "同创", "盛世", "海纳", "明德", "远航", "聚力", "银河",
)  # fmt: skip
# province, weight (population, tilted to the coast), ((city, 4-digit region code), ...)
PROVINCES = (
    ("广东省", 12, (("广州市", 4401), ("深圳市", 4403), ("佛山市", 4406), ("东莞市", 4419),
                   ("珠海市", 4404), ("汕头市", 4405), ("惠州市", 4413))),
    ("江苏省", 9, (("南京市", 3201), ("苏州市", 3205), ("无锡市", 3202), ("常州市", 3204),
                  ("南通市", 3206), ("徐州市", 3203))),
    ("浙江省", 8, (("杭州市", 3301), ("宁波市", 3302), ("温州市", 3303), ("绍兴市", 3306),
                  ("金华市", 3307), ("嘉兴市", 3304))),
    ("山东省", 8, (("济南市", 3701), ("青岛市", 3702), ("烟台市", 3706), ("潍坊市", 3707),
                  ("临沂市", 3713))),
    ("上海市", 6, (("上海市", 3101),)),
    ("北京市", 5, (("北京市", 1101),)),
    ("河南省", 6, (("郑州市", 4101), ("洛阳市", 4103), ("南阳市", 4113), ("新乡市", 4107))),
    ("四川省", 6, (("成都市", 5101), ("绵阳市", 5107), ("德阳市", 5106), ("宜宾市", 5115))),
    ("福建省", 4, (("福州市", 3501), ("厦门市", 3502), ("泉州市", 3505), ("漳州市", 3506))),
    ("湖北省", 4, (("武汉市", 4201), ("宜昌市", 4205), ("襄阳市", 4206))),
    ("湖南省", 4, (("长沙市", 4301), ("株洲市", 4302), ("衡阳市", 4304), ("岳阳市", 4306))),
    ("河北省", 4, (("石家庄市", 1301), ("唐山市", 1302), ("邯郸市", 1304), ("保定市", 1306))),
    ("天津市", 2.5, (("天津市", 1201),)),
    ("重庆市", 2.5, (("重庆市", 5001),)),
    ("安徽省", 3, (("合肥市", 3401), ("芜湖市", 3402), ("蚌埠市", 3403))),
    ("辽宁省", 3, (("沈阳市", 2101), ("大连市", 2102), ("鞍山市", 2103))),
    ("江西省", 2.5, (("南昌市", 3601), ("九江市", 3604), ("赣州市", 3607))),
    ("陕西省", 2.5, (("西安市", 6101), ("宝鸡市", 6103), ("咸阳市", 6104))),
    ("广西壮族自治区", 2.5, (("南宁市", 4501), ("柳州市", 4502), ("桂林市", 4503))),
    ("云南省", 2, (("昆明市", 5301), ("曲靖市", 5303), ("大理白族自治州", 5329))),
    ("山西省", 1.5, (("太原市", 1401), ("大同市", 1402))),
    ("黑龙江省", 1.5, (("哈尔滨市", 2301), ("大庆市", 2306))),
    ("吉林省", 1.2, (("长春市", 2201), ("吉林市", 2202))),
    ("贵州省", 1.2, (("贵阳市", 5201), ("遵义市", 5203))),
    ("内蒙古自治区", 1, (("呼和浩特市", 1501), ("包头市", 1502))),
    ("海南省", 1, (("海口市", 4601), ("三亚市", 4602))),
    ("甘肃省", 0.8, (("兰州市", 6201),)),
    ("新疆维吾尔自治区", 0.8, (("乌鲁木齐市", 6501),)),
    ("宁夏回族自治区", 0.4, (("银川市", 6401),)),
    ("青海省", 0.3, (("西宁市", 6301),)),
)  # fmt: skip
MOBILE_PREFIXES = (
    tuple(f"13{d}" for d in range(10))
    + tuple(f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9))
    + tuple(f"18{d}" for d in range(10))
)

# transactions: relative frequency, amount median (CNY), log-sigma, wealth elasticity
TX_PROFILE = {
    "purchase": (0.10, 1500.0, 1.1, 0.25),
    "premium": (0.05, 3500.0, 0.9, 0.30),
    "claim": (0.006, 6000.0, 1.3, 0.10),
    "service_fee": (0.07, 40.0, 0.8, 0.05),
    "card_spend": (0.36, 280.0, 1.1, 0.25),
    "fee_business": (0.05, 150.0, 1.1, 0.45),
    "deposit": (0.15, 6000.0, 1.2, 0.40),
    "withdrawal": (0.14, 4000.0, 1.2, 0.40),
    "refund": (0.015, 250.0, 1.0, 0.20),
}
CHANNELS = ("branch", "mobile", "web", "atm", "agent")
CHANNEL_W = {  # per transaction type, in CHANNELS order
    "purchase": (15, 50, 25, 0, 10),
    "premium": (15, 30, 10, 0, 45),
    "claim": (20, 40, 10, 0, 30),
    "service_fee": (20, 50, 25, 5, 0),
    "card_spend": (5, 60, 35, 0, 0),
    "fee_business": (35, 45, 15, 0, 5),
    "deposit": (40, 35, 5, 20, 0),
    "withdrawal": (25, 35, 5, 35, 0),
    "refund": (5, 55, 40, 0, 0),
}
PRODUCT_LINES = (
    "life_insurance", "property_insurance", "health_insurance", "credit_card",
    "wealth_management", "deposit", "loan", "fund",
)  # fmt: skip
PRODUCT_LINE_W = {  # per transaction type, in PRODUCT_LINES order
    "purchase": (5, 5, 5, 0, 45, 0, 0, 40),
    "premium": (50, 20, 30, 0, 0, 0, 0, 0),
    "claim": (20, 35, 45, 0, 0, 0, 0, 0),
    "service_fee": (0, 0, 0, 50, 0, 30, 20, 0),
    "card_spend": (0, 0, 0, 1, 0, 0, 0, 0),
    "fee_business": (0, 0, 0, 0, 50, 0, 15, 35),
    "deposit": (0, 0, 0, 0, 0, 1, 0, 0),
    "withdrawal": (0, 0, 0, 0, 0, 1, 0, 0),
    "refund": (0, 0, 0, 60, 20, 0, 0, 20),
}
#: activity by hour of day (transactions)
HOUR_W = (1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 5, 4, 3, 2)
#: seasonality by calendar month (Jan..Dec): spring festival, mid-year and year-end peaks
SEASON = (1.10, 1.15, 0.95, 0.95, 1.0, 1.05, 0.95, 0.95, 1.0, 1.05, 1.05, 1.20)

COLLATERAL = ("房产", "车辆", "存单", "保单", "有价证券", None)
COLLATERAL_W = (45, 15, 8, 4, 3, 25)
COLLATERAL_MEDIAN = (1_800_000.0, 150_000.0, 200_000.0, 300_000.0, 400_000.0, 0.0)

INTERACTION_W = (22, 8, 8, 45, 17)  # survey, complaint, referral, call, visit
# Call outcomes follow the called person's attitude, so one customer's calls tell one
# story (intent levels 1-6 of the lead intent scheme): weights in CALL_OUTCOMES order,
# (invalid_number, switched_off, call_reminder, no_answer, not_connected, hung_up,
#  refused_contact, hostile, not_interested, call_later, interested_needs_info,
#  very_interested, agreed_visit).
CALL_ATTITUDES = (  # (attitude, share of customers, outcome weights)
    ("invalid", 0.04, (70, 0, 0, 15, 15, 0, 0, 0, 0, 0, 0, 0, 0)),
    ("hostile", 0.12, (0, 8, 3, 15, 6, 25, 18, 12, 10, 3, 0, 0, 0)),
    ("cold", 0.40, (0, 6, 3, 18, 5, 6, 3, 1, 35, 20, 3, 0, 0)),
    ("warm", 0.30, (0, 5, 3, 15, 4, 2, 1, 0, 12, 20, 28, 8, 2)),
    ("hot", 0.14, (0, 4, 2, 12, 3, 1, 0, 0, 4, 10, 20, 28, 16)),
)
CALL_NOTES = (
    "空号/停机/号码与资料不符", "客户关机", "来电提醒，稍后回拨", "无人接听", "无法接通",
    "接通后立即挂断", "客户拒绝其他联系方式", "客户态度恶劣", "客户表示暂无需求",
    "客户现在没空，约定下次联系", "客户比较感兴趣，希望进一步了解", "客户意向强烈，信任我行",
    "客户同意预约上门拜访",
)  # fmt: skip
NOTES = {
    "survey": ("满意度回访", "季度满意度调查", "线上问卷调查", "网点服务评价", "理赔服务回访"),
    "complaint": ("投诉理赔时效慢", "投诉扣费不明", "投诉服务态度", "投诉排队时间长",
                  "投诉营销电话过多", "投诉手机银行故障"),
    "referral": ("推荐亲友开户", "推荐同事购买保险", "转介绍新客户", "推荐家人办理信用卡"),
    "visit": ("网点面谈", "上门拜访", "理财经理面谈", "签约新产品", "资产配置咨询"),
}  # fmt: skip

assert tuple(TX_PROFILE) == TRANSACTION_TYPES
assert all(len(w) == len(CALL_OUTCOMES) == len(CALL_NOTES) for _a, _s, w in CALL_ATTITUDES)
assert len(INTERACTION_W) == len(INTERACTION_TYPES)


# --------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class Window:
    """The ``months`` calendar months ending at ``as_of`` (the last may be partial)."""

    as_of: np.datetime64  # day
    month_start: np.ndarray  # datetime64[D], one per month
    month_end: np.ndarray  # datetime64[D], exclusive, capped at as_of + 1
    month_days: np.ndarray  # calendar length of each month (a partial month counts in full)

    @property
    def start(self) -> np.datetime64:
        return self.month_start[0]

    @property
    def labels(self) -> list[str]:
        return [str(m)[:7] for m in self.month_start]


def _window(as_of: date, months: int) -> Window:
    last = np.datetime64(as_of, "M")
    starts = last - np.arange(months - 1, -2, -1)  # months + 1 month boundaries
    bounds = starts.astype("datetime64[D]")
    day = np.datetime64(as_of, "D")
    return Window(
        day, bounds[:-1], np.minimum(bounds[1:], day + 1), np.diff(bounds).astype(np.int64)
    )


@dataclass
class Population:
    """Per-customer latent traits the other sources are drawn from."""

    ids: np.ndarray  # customer_id strings
    corporate: np.ndarray  # bool
    onboarded: np.ndarray  # datetime64[D]
    wealth: np.ndarray  # current total assets (CNY)
    has_accounts: np.ndarray  # bool
    has_card: np.ndarray  # bool
    dormant: np.ndarray  # bool: no accounts, no card, no fee business (star points 0)
    activity: np.ndarray  # expected transactions per month


def _pick(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _pick_by_row(rng: np.random.Generator, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category per element, drawn from the distribution ``table[rows[i]]``."""
    out = np.zeros(len(rows), dtype=np.int8)
    for r in range(table.shape[0]):  # one vectorised draw per distribution
        sel = np.flatnonzero(rows == r)
        if len(sel):
            out[sel] = _pick(rng, table[r], len(sel))
    return out


def _cents(x: np.ndarray) -> np.ndarray:
    return np.maximum(np.rint(np.asarray(x, dtype=float) * 100), 1).astype(np.int64)


def _dict(codes: np.ndarray, values) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(list(values), pa.string())
    )


def _nullable(values, mask: np.ndarray, type_: pa.DataType | None = None) -> pa.Array:
    """Arrow array with nulls where ``mask`` is True."""
    return pa.array(values, type=type_, mask=np.asarray(mask, dtype=bool))


def _zfill(numbers: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(np.asarray(numbers).astype(np.int64).astype(str), width)


def _sql_expr(source: Source, name: str) -> str:
    col = source.column(name)
    q = f'"{name}"'
    if col.sql_type == MONEY:  # int64 cents -> exact "1234.50"
        return f"(({q} // 100)::varchar || '.' || lpad(({q} % 100)::varchar, 2, '0')) as {q}"
    if col.sql_type == "DATE":
        return f"strftime({q}, '%Y-%m-%d') as {q}"
    if col.sql_type == "TIMESTAMP":
        return f"strftime({q}, '%Y-%m-%d %H:%M:%S') as {q}"
    return q


def _write(con: duckdb.DuckDBPyConnection, source: Source, table: pa.Table, path: Path) -> int:
    """Write ``table`` (contract columns; money as int64 cents) as a contract CSV."""
    if tuple(table.column_names) != source.column_names:
        raise ValueError(f"{source.name}: columns {table.column_names} != contract")
    cols = ", ".join(_sql_expr(source, c) for c in source.column_names)
    target = str(path).replace("'", "''")
    con.register("_landing", table)
    try:
        con.execute(f"copy (select {cols} from _landing) to '{target}' (header, delimiter ',')")
    finally:
        con.unregister("_landing")
    return table.num_rows


# --------------------------------------------------------------------------- customers
def _birth_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    year = np.clip(np.rint(rng.normal(1979, 12, n)), 1950, 2004).astype(np.int64)
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = ((year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - start).astype(int)
    return start + (rng.random(n) * length).astype(np.int64)


def _ymd(days: np.ndarray) -> np.ndarray:
    y = days.astype("datetime64[Y]").astype(np.int64) + 1970
    m = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10_000 + m * 100 + d


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """Decimal digits of non-negative ints as an (n, width) matrix, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers) % 10


def _resident_ids(region: np.ndarray, birth: np.ndarray, male: np.ndarray, rng) -> np.ndarray:
    """18-character PRC resident ID: region(6) + birth(8) + sequence(3) + check (GB 11643)."""
    seq = rng.integers(0, 500, len(region)) * 2 + male.astype(np.int64)  # odd = male
    body = (region.astype(np.int64) * 10**8 + _ymd(birth)) * 1000 + seq
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.array(list("10X98765432"))[(_digits(body, 17) * weights).sum(1) % 11]
    return np.char.add(_zfill(body, 17), check)


def _credit_codes(region: np.ndarray, rng) -> np.ndarray:
    """18-character unified social credit code: 91 + region + 9-digit org code + check."""
    org = rng.integers(10**8, 10**9, len(region))
    body = (91 * 10**6 + region.astype(np.int64)) * 10**9 + org
    weights = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
    charset = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    check = charset[(31 - (_digits(body, 17) * weights).sum(1) % 31) % 31]
    return np.char.add(_zfill(body, 17), check)


def _customers(rng: np.random.Generator, n: int, win: Window) -> tuple[pa.Table, Population]:
    width = max(6, len(str(n)))
    ids = np.char.add("C", _zfill(np.arange(1, n + 1), width))
    corporate = rng.random(n) < 0.08
    indiv = ~corporate

    cities = [(p, c, code) for p, w, cs in PROVINCES for c, code in cs]
    city_w = [w * (2.0 if i == 0 else 1.0) / (len(cs) + 1) for _, w, cs in PROVINCES
              for i, _c in enumerate(cs)]  # fmt: skip
    city = _pick(rng, city_w, n)
    province = np.array([p for p, _, _ in cities])[city]
    city_name = np.array([c for _, c, _ in cities])[city]
    region = np.array([code for _, _, code in cities])[city] * 100 + rng.integers(2, 10, n)

    male = rng.random(n) < 0.5
    birth = _birth_dates(rng, n)
    surname = np.array(list(SURNAMES))[_pick(rng, 1 / np.arange(1, len(SURNAMES) + 1) ** 0.8, n)]
    gm, gf = np.array(list(GIVEN_M)), np.array(list(GIVEN_F))
    g1 = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    g2 = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    given = np.char.add(g1, np.where(rng.random(n) < 0.7, g2, ""))
    person = np.char.add(surname, given)

    industry = _pick(rng, [w for _, w, _ in INDUSTRIES], n)
    ind_names = np.array([i for i, _, _ in INDUSTRIES])
    company = np.char.add(
        np.char.add(np.char.replace(city_name, "市", ""),
                    np.array(COMPANY_WORDS)[rng.integers(0, len(COMPANY_WORDS), n)]),
        np.char.add(np.array([s for _, _, s in INDUSTRIES])[industry], "有限公司"),
    )  # fmt: skip
    full_name = np.where(corporate, company, person)
    national_id = np.where(
        corporate, _credit_codes(region, rng), _resident_ids(region, birth, male, rng)
    )
    phone = np.char.add(
        np.array(MOBILE_PREFIXES)[rng.integers(0, len(MOBILE_PREFIXES), n)],
        _zfill(rng.integers(0, 10**8, n), 8),
    )

    occ = _pick(rng, [o[2] for o in OCCUPATIONS], n)
    occ_name = np.array([o[0] for o in OCCUPATIONS] + [RETIRED[0]])
    occ_risk = np.array([o[1] for o in OCCUPATIONS] + [RETIRED[1]])
    age = np.datetime64(win.as_of, "Y").astype(int) - birth.astype("datetime64[Y]").astype(int)
    occ = np.where((age >= 60) & (rng.random(n) < 0.7), len(OCCUPATIONS), occ)
    min_edu = np.array([o[4] for o in OCCUPATIONS] + [0])[occ]
    education = np.maximum(_pick(rng, EDUCATION_W, n), min_edu)
    occ_industry = [o[3] for o in OCCUPATIONS] + [None]
    ind_of_occ = np.array([-1 if i is None else list(ind_names).index(i) for i in occ_industry])
    person_industry = np.where(ind_of_occ[occ] >= 0, ind_of_occ[occ], industry)
    retired = occ == len(OCCUPATIONS)

    # onboarded after the 18th birthday (individuals) and after 2005-01-01, tilted to recent
    low = np.where(indiv, np.maximum(birth + 6576, EARLIEST_ONBOARDING), EARLIEST_ONBOARDING)
    low = np.minimum(low, win.as_of)
    span = (win.as_of - low).astype(np.int64) + 1
    onboarded = low + (rng.random(n) ** 0.85 * span).astype(np.int64)

    # wealth: log-normal body plus a Pareto tail of rich customers; companies hold more
    body = np.exp(rng.normal(np.log(WEALTH_MEDIAN), 1.6, n) + 0.12 * (education - 4))
    rich = rng.random(n) < np.where(corporate, 0.05, 0.015)
    tail = 2_000_000.0 * (1 + rng.pareto(1.1, n))
    wealth = np.minimum(np.where(rich, tail, body * np.where(corporate, 4.0, 1.0)), 2e9)

    group = rng.random(n)
    dormant = group < 0.04  # no accounts, no card: star points 0
    card_only = (group >= 0.04) & (group < 0.08)
    has_accounts = ~dormant & ~card_only
    has_card = card_only | (has_accounts & (rng.random(n) < 0.75))
    activity = 8.6 * rng.gamma(1.3, 1 / 1.3, n) * np.where(corporate, 1.5, 1.0)
    activity = np.where(dormant, activity * 0.3, activity)

    table = pa.table({
        "customer_id": pa.array(ids),
        "customer_type": _dict(corporate.astype(int), ("individual", "corporate")),
        "full_name": pa.array(full_name),
        "national_id": pa.array(national_id),
        "phone": pa.array(phone),
        "birth_date": _nullable(birth, corporate, pa.date32()),
        "gender": _nullable(np.where(male, "M", "F"), corporate),
        "education_level": _nullable(np.array(EDUCATION)[education], corporate),
        "occupation": _nullable(occ_name[occ], corporate),
        "occupation_risk_class": _nullable(occ_risk[occ], corporate, pa.int16()),
        "industry": _nullable(ind_names[np.where(corporate, industry, person_industry)],
                              indiv & retired),
        "province": pa.array(province),
        "city": pa.array(city_name),
        "onboarded_date": pa.array(onboarded, pa.date32()),
    })  # fmt: skip
    pop = Population(ids, corporate, onboarded, wealth, has_accounts, has_card, dormant, activity)
    return table, pop


def _active_days(pop: Population, win: Window) -> tuple[np.ndarray, np.ndarray]:
    """First active day and number of active days per (customer, month)."""
    first = np.maximum(win.month_start[None, :], pop.onboarded[:, None])
    days = (win.month_end[None, :] - first).astype(np.int64)
    return first, np.maximum(days, 0)


# --------------------------------------------------------------------------- balances
def _balances(rng: np.random.Generator, pop: Population, win: Window):
    """Accounts and their monthly average daily balance; also who holds insurance."""
    n, months = len(pop.ids), len(win.month_start)
    holders = np.flatnonzero(pop.has_accounts)
    richness = np.clip((np.log10(pop.wealth[holders]) - 3.5) / 3.5, 0, 1)
    k = 1 + (rng.random(len(holders)) < 0.35 + 0.3 * richness) \
          + (rng.random(len(holders)) < 0.10 + 0.35 * richness)  # fmt: skip
    acc_cust = np.repeat(holders, k)
    first_of = np.repeat(np.cumsum(k) - k, k)
    pos = np.arange(len(acc_cust)) - first_of
    main = np.where(rng.random(len(acc_cust)) < 0.9, 0, 1)  # deposit or wealth
    other = _pick(rng, (10, 35, 30, 25), len(acc_cust))  # deposit, wealth, fund, insurance
    product = np.where(pos == 0, main, other)
    share = rng.gamma(1.5, 1.0, len(acc_cust)) * np.where(pos == 0, 1.5, 1.0)
    share /= np.bincount(acc_cust, weights=share, minlength=n)[acc_cust]

    # per-customer random walk anchored at the current wealth in the last month
    drift = rng.normal(0, 0.03, n)
    walk = np.cumsum(rng.normal(drift[:, None], 0.08, (n, months)), axis=1)
    walk -= walk[:, -1:]
    _, days = _active_days(pop, win)
    acc_idx, month = np.nonzero(days[acc_cust] > 0)
    cust = acc_cust[acc_idx]
    noise = rng.normal(0, 0.1, len(acc_idx))
    balance = pop.wealth[cust] * share[acc_idx] * np.exp(walk[cust, month] + noise)

    order = np.lexsort((acc_idx, month, cust))
    acc_width = max(7, len(str(len(acc_cust))))
    table = pa.table({
        "customer_id": _dict(cust[order], pop.ids),
        "month": _dict(month[order], win.labels),
        "avg_daily_balance": pa.array(np.rint(balance[order] * 100).astype(np.int64)),
        "account_id": pa.array(np.char.add("A", _zfill(acc_idx[order] + 1, acc_width))),
        "product_type": _dict(product[acc_idx[order]], PRODUCT_TYPES),
    })  # fmt: skip
    # policies without a cash value (term life, health, property) hold no balance
    insured = rng.random(n) < 0.2
    insured[acc_cust[product == PRODUCT_TYPES.index("insurance")]] = True
    return table, insured


# --------------------------------------------------------------------------- transactions
def _transactions(
    rng: np.random.Generator, pop: Population, insured: np.ndarray, win: Window
) -> tuple[list[pa.Table], int]:
    n, months = len(pop.ids), len(win.month_start)
    t = {name: i for i, name in enumerate(TRANSACTION_TYPES)}
    w = np.tile(np.array([p[0] for p in TX_PROFILE.values()]), (n, 1))
    w[:, t["premium"]] *= np.where(insured, 1.6, 0.05)
    w[:, t["claim"]] *= np.where(insured, 1.6, 0.02)
    w[:, t["card_spend"]] *= pop.has_card
    no_acc = ~pop.has_accounts
    for name in ("deposit", "withdrawal", "fee_business"):
        w[:, t[name]] *= np.where(no_acc, 0.0, 1.0)
    w[:, t["fee_business"]] *= np.clip(pop.wealth / 1e5, 0.3, 3.0) ** 0.5
    w /= w.sum(1, keepdims=True)

    first, days = _active_days(pop, win)
    cal_month = win.month_start.astype("datetime64[M]").astype(np.int64) % 12
    rate = pop.activity[:, None] * np.array(SEASON)[cal_month][None, :] * (days / win.month_days)
    counts = rng.poisson(rate[:, :, None] * w[:, None, :])  # (customer, month, type)

    flat = counts.ravel()
    nz = np.flatnonzero(flat)
    reps = flat[nz]
    cust = np.repeat(nz // (months * len(TRANSACTION_TYPES)), reps)
    month = np.repeat((nz // len(TRANSACTION_TYPES)) % months, reps)
    ttype = np.repeat(nz % len(TRANSACTION_TYPES), reps).astype(np.int8)
    total = len(cust)

    day = first[cust, month] + (rng.random(total) * days[cust, month]).astype(np.int64)
    second = _pick(rng, HOUR_W, total) * 3600 + rng.integers(0, 3600, total)
    ts = day.astype("datetime64[s]") + second

    median, sigma, elastic = (np.array([p[i] for p in TX_PROFILE.values()]) for i in (1, 2, 3))
    scale = np.where(pop.corporate, 3.0, 1.0)[cust]
    amount = (median[ttype] * scale * (pop.wealth[cust] / WEALTH_MEDIAN) ** elastic[ttype]
              * np.exp(sigma[ttype] * rng.standard_normal(total)))  # fmt: skip
    cents = _cents(np.minimum(amount, 5e7))
    channel = _pick_by_row(rng, np.array(list(CHANNEL_W.values()), float), ttype)
    line = _pick_by_row(rng, np.array(list(PRODUCT_LINE_W.values()), float), ttype)

    order = np.argsort(ts, kind="stable")
    width = max(8, len(str(total)))
    ids = np.arange(1, total + 1)
    cuts = np.searchsorted(ts[order], win.month_start.astype("datetime64[s]"))
    cuts = np.append(cuts, total)
    tables = []
    for m in range(months):
        sel = order[cuts[m] : cuts[m + 1]]
        tables.append(pa.table({
            "transaction_id": pa.array(np.char.add("T", _zfill(ids[cuts[m] : cuts[m + 1]],
                                                               width))),
            "customer_id": _dict(cust[sel], pop.ids),
            "transaction_ts": pa.array(ts[sel], pa.timestamp("s")),
            "transaction_type": _dict(ttype[sel], TRANSACTION_TYPES),
            "amount": pa.array(cents[sel]),
            "currency": _dict(np.zeros(len(sel), np.int8), ("CNY",)),
            "channel": _dict(channel[sel], CHANNELS),
            "product_line": _dict(line[sel], PRODUCT_LINES),
        }))  # fmt: skip
    return tables, total


# --------------------------------------------------------------------------- credit reports
def _credit_reports(rng: np.random.Generator, pop: Population, win: Window) -> pa.Table:
    n = len(pop.ids)
    who = np.flatnonzero(rng.random(n) < 0.6)
    span = int((win.as_of - win.start).astype(np.int64)) + 1
    k = np.minimum(_pick(rng, (50, 30, 20), len(who)) + 1, min(3, span))
    seg = max(span // 3, 1)
    ranks = rng.random((len(who), 3)).argsort(1).argsort(1)  # which thirds get a report
    r_idx, third = np.nonzero(ranks < k[:, None])
    offset = np.minimum(third * seg + (rng.random(len(r_idx)) * seg).astype(np.int64), span - 1)
    # a window shorter than three days can put two reports on one day: keep the first
    keep = np.ones(len(r_idx), dtype=bool)
    keep[1:] = (r_idx[1:] != r_idx[:-1]) | (offset[1:] != offset[:-1])
    r_idx, third, offset = r_idx[keep], third[keep], offset[keep]
    report_date = win.start + offset
    c = who[r_idx]
    m = len(c)

    # per-customer base figures, one draw per report around them
    rel = np.log(pop.wealth / WEALTH_MEDIAN)
    base_score = 300 + 550 * rng.beta(5, 2, n) + np.clip(6 * rel, -30, 30)
    score = np.clip(np.rint(base_score[c] + rng.normal(0, 12, m)), 300, 850).astype(np.int64)
    income = np.exp(rng.normal(np.log(90_000) + 0.3 * rel, 0.5, n)) * np.where(
        pop.corporate, 8.0, 1.0
    )
    income = np.rint(income[c] * np.exp(rng.normal(0, 0.03, m)))
    has_debt = (rng.random(n) < 0.9)[c]
    dti = np.where(has_debt, 0.05 + 0.8 * rng.beta(2.2, 2.8, n)[c], 0.0)
    payment = dti * income / 12

    ctype = _pick(rng, COLLATERAL_W, n)
    no_coll_r = (ctype == len(COLLATERAL) - 1)[c] | ~has_debt
    cvalue = (
        np.array(COLLATERAL_MEDIAN)[ctype]
        * np.exp(rng.normal(0, 0.6, n))
        * np.clip(pop.wealth / 1e6, 0.3, 5.0) ** 0.3
    )
    cvalue = cvalue[c]
    ltv = 0.3 + 0.7 * rng.beta(2, 2, n)[c] * np.exp(-0.02 * third)  # repaid over time
    unsecured = income * rng.uniform(0.2, 1.5, n)[c]
    loan = np.where(no_coll_r, unsecured, cvalue * ltv)
    no_loan = ~has_debt | (no_coll_r & (rng.random(n) < 0.4)[c])
    total_debt = np.where(has_debt, np.where(no_loan, 0, loan) + income * rng.uniform(0, 0.3, m), 0)

    overdue = rng.poisson(3.0 * np.exp(-(score - 300) / 90.0))
    dpd = np.where(overdue > 0, np.minimum(1 + rng.exponential(20, m) * overdue, 720), 0)
    return pa.table({
        "customer_id": _dict(c, pop.ids),
        "report_date": pa.array(report_date, pa.date32()),
        "credit_score": pa.array(score),
        "annual_income": pa.array(_cents(income)),
        "total_debt": pa.array(np.rint(total_debt * 100).astype(np.int64)),
        "monthly_debt_payment": pa.array(np.rint(payment * 100).astype(np.int64)),
        "overdue_count": pa.array(overdue.astype(np.int64)),
        "max_days_past_due": pa.array(dpd.astype(np.int64)),
        "collateral_type": _nullable(np.array(COLLATERAL[:-1] + ("",))[ctype[c]], no_coll_r),
        "collateral_value": _nullable(_cents(cvalue), no_coll_r, pa.int64()),
        "loan_amount": _nullable(_cents(loan), no_loan, pa.int64()),
    })  # fmt: skip


# --------------------------------------------------------------------------- interactions
def _interactions(rng: np.random.Generator, pop: Population, win: Window) -> pa.Table:
    n = len(pop.ids)
    first = np.maximum(win.start, pop.onboarded)
    span = (win.as_of - first).astype(np.int64) + 1
    months = len(win.month_start)
    lam = rng.gamma(1.5, 1 / 1.5, n) * 2.4 * months / 12 * (span / (months * 30.4))
    counts = rng.poisson(np.where(pop.corporate, 1.5, 1.0) * lam)
    c = np.repeat(np.arange(n), counts)
    m = len(c)
    day = first[c] + (rng.random(m) * span[c]).astype(np.int64)
    second = rng.integers(8 * 3600, 20 * 3600, m)
    ts = day.astype("datetime64[s]") + second
    itype = _pick(rng, INTERACTION_W, m)

    # the key (customer_id, interaction_ts, interaction_type) must be unique
    order = np.lexsort((itype, c, ts))
    c, ts, itype = c[order], ts[order], itype[order]
    dup = np.zeros(m, dtype=bool)
    dup[1:] = (c[1:] == c[:-1]) & (ts[1:] == ts[:-1]) & (itype[1:] == itype[:-1])
    c, ts, itype = c[~dup], ts[~dup], itype[~dup]
    m = len(c)

    kind = {name: itype == i for i, name in enumerate(INTERACTION_TYPES)}
    score = _pick(rng, (4, 6, 15, 40, 35), m) + 1
    scored = kind["survey"] | (kind["visit"] & (rng.random(m) < 0.4))
    resolved = rng.random(m) < 0.78
    attitude = _pick(rng, [a[1] for a in CALL_ATTITUDES], n)  # per customer
    outcome = _pick_by_row(rng, np.array([a[2] for a in CALL_ATTITUDES], float), attitude[c])

    notes = np.full(m, "", dtype=object)
    for name, texts in NOTES.items():
        sel = np.flatnonzero(kind[name])
        notes[sel] = np.array(texts, dtype=object)[rng.integers(0, len(texts), len(sel))]
    notes[kind["call"]] = np.array(CALL_NOTES, dtype=object)[outcome[kind["call"]]]
    no_note = rng.random(m) < 0.15
    return pa.table({
        "customer_id": _dict(c, pop.ids),
        "interaction_ts": pa.array(ts, pa.timestamp("s")),
        "interaction_type": _dict(itype, INTERACTION_TYPES),
        "satisfaction_score": _nullable(score, ~scored, pa.int16()),
        "complaint_resolved": _nullable(resolved, ~kind["complaint"], pa.bool_()),
        "call_outcome": pa.DictionaryArray.from_arrays(
            _nullable(outcome.astype(np.int32), ~kind["call"], pa.int32()),
            pa.array(CALL_OUTCOMES),
        ),
        "notes": _nullable(notes, no_note, pa.string()),
    })  # fmt: skip


# --------------------------------------------------------------------------- leads
LEAD_SOURCE_W = (25, 30, 15, 20, 10)  # in LEAD_SOURCES order
NEED_STATUS_W = (55, 30, 15)  # explicit, latent, none
RECOGNITION_W = (10, 20, 30, 25, 15)  # recognition score 1..5


def _leads(rng: np.random.Generator, pop: Population, win: Window) -> pa.Table:
    """Sales assessments of about a third of the customers, one or two per lead.

    The quality factors follow the customer's wealth (capital, prior investments,
    local relations); an explicit need carries an expected close date a few weeks to
    about a year and a half after the assessment, a latent need sometimes a far one,
    no need none.
    """
    n = len(pop.ids)
    first = np.maximum(win.start, pop.onboarded)
    span = (win.as_of - first).astype(np.int64) + 1
    who = np.flatnonzero(rng.random(n) < np.where(pop.corporate, 0.5, 0.3))
    k = 1 + (rng.random(len(who)) < 0.35)
    c = np.repeat(who, k)
    m = len(c)
    # one assessment per half of the customer's window, so two never share a date
    nth = np.arange(m) - np.repeat(np.cumsum(k) - k, k)
    half = np.maximum(span[c] // 2, 1)
    offset = np.where(
        np.repeat(k, k) == 1,
        (rng.random(m) * span[c]).astype(np.int64),
        nth * half + (rng.random(m) * half).astype(np.int64),
    )
    offset = np.minimum(offset, span[c] - 1)
    keep = np.ones(m, dtype=bool)
    keep[1:] = (c[1:] != c[:-1]) | (offset[1:] != offset[:-1])  # a one-day window
    c, offset = c[keep], offset[keep]
    m = len(c)
    captured = first[c] + offset

    wealth = pop.wealth[c]
    richness = np.clip((np.log10(wealth) - 3.5) / 3.5, 0, 1)
    same_type = rng.random(m) < 0.45
    capital = wealth * rng.uniform(0.2, 1.5, m)
    prior = np.where(same_type, wealth * rng.uniform(0.1, 1.0, m), wealth * rng.uniform(0, 0.2, m))
    need = _pick(rng, NEED_STATUS_W, m)
    close_days = np.where(
        need == 0, rng.gamma(2.0, 100, m), np.where(need == 1, 180 + rng.gamma(2.0, 120, m), 0)
    )
    no_close = (need == 2) | ((need == 1) & (rng.random(m) < 0.6))
    missing = rng.random((4, m)) < 0.05  # fields the sales team left empty
    return pa.table({
        "customer_id": _dict(c, pop.ids),
        "captured_date": pa.array(captured, pa.date32()),
        "lead_source": _dict(_pick(rng, LEAD_SOURCE_W, m), LEAD_SOURCES),
        "is_same_type": pa.array(same_type),
        "capital_amount": _nullable(_cents(capital), missing[0], pa.int64()),
        "has_local_relations": _nullable(rng.random(m) < 0.25 + 0.4 * richness, missing[1],
                                         pa.bool_()),
        "main_product_is_ours": pa.array(rng.random(m) < 0.35),
        "prior_investment_amount": _nullable(_cents(prior), missing[2], pa.int64()),
        "recognition_score": _nullable(_pick(rng, RECOGNITION_W, m) + 1, missing[3], pa.int16()),
        "expected_close_date": _nullable(captured + close_days.astype(np.int64), no_close,
                                         pa.date32()),
        "need_status": _dict(need, NEED_STATUSES),
    })  # fmt: skip


# --------------------------------------------------------------------------- entry point
def generate(
    out_dir: Path,
    customers: int = 10_000,
    months: int = 12,
    seed: int = 42,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write synthetic landing files for ``customers`` over ``months`` ending at ``as_of``.

    Returns the number of rows written per source. Same arguments, same bytes.
    """
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be >= 1")
    say = progress or (lambda _msg: None)
    win = _window(as_of or DEFAULT_AS_OF, months)
    out = Path(out_dir)
    (out / "transactions").mkdir(parents=True, exist_ok=True)
    for stale in (out / "transactions").glob("transactions_*.csv"):
        stale.unlink()  # a previous run over other months must not leave files behind

    # one child stream per source; spawning more children leaves the first ones as they
    # were, so adding a source does not change the files of the others
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    rows: dict[str, int] = {}
    con = duckdb.connect(":memory:")
    try:
        table, pop = _customers(streams[0], customers, win)
        rows["customers"] = _write(con, SOURCES["customers"], table, out / "customers.csv")
        say(f"customers: {rows['customers']:,} rows")

        table, insured = _balances(streams[1], pop, win)
        rows["balances"] = _write(con, SOURCES["balances"], table, out / "balances.csv")
        say(f"balances: {rows['balances']:,} rows")

        tables, rows["transactions"] = _transactions(streams[2], pop, insured, win)
        for label, tx in zip(win.labels, tables, strict=True):
            path = out / "transactions" / f"transactions_{label}.csv"
            _write(con, SOURCES["transactions"], tx, path)
        say(f"transactions: {rows['transactions']:,} rows in {len(tables)} files")

        table = _credit_reports(streams[3], pop, win)
        path = out / "credit_reports.csv"
        rows["credit_reports"] = _write(con, SOURCES["credit_reports"], table, path)
        say(f"credit_reports: {rows['credit_reports']:,} rows")

        table = _interactions(streams[4], pop, win)
        rows["interactions"] = _write(con, SOURCES["interactions"], table, out / "interactions.csv")
        say(f"interactions: {rows['interactions']:,} rows")

        table = _leads(streams[5], pop, win)
        rows["leads"] = _write(con, SOURCES["leads"], table, out / "leads.csv")
        say(f"leads: {rows['leads']:,} rows")
    finally:
        con.close()
    return rows
