"""Fixed vocabularies and weights the synthetic landing data is drawn from.

Names, codes and labels are the ones a Chinese bank's landing files carry; weights are
relative (they need not sum to one). Tuples that follow a contract vocabulary are
checked against it at import time.
"""

from __future__ import annotations

from contracts.landing import CALL_OUTCOMES, INTERACTION_TYPES, TRANSACTION_TYPES

# --------------------------------------------------------------------------- customers
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

# --------------------------------------------------------------------------- transactions
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

# --------------------------------------------------------------------------- credit reports
COLLATERAL = ("房产", "车辆", "存单", "保单", "有价证券", None)
COLLATERAL_W = (45, 15, 8, 4, 3, 25)
COLLATERAL_MEDIAN = (1_800_000.0, 150_000.0, 200_000.0, 300_000.0, 400_000.0, 0.0)

# --------------------------------------------------------------------------- interactions
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

# --------------------------------------------------------------------------- leads
LEAD_SOURCE_W = (25, 30, 15, 20, 10)  # in LEAD_SOURCES order
NEED_STATUS_W = (55, 30, 15)  # explicit, latent, none
RECOGNITION_W = (10, 20, 30, 25, 15)  # recognition score 1..5

assert tuple(TX_PROFILE) == TRANSACTION_TYPES
assert all(len(w) == len(CALL_OUTCOMES) == len(CALL_NOTES) for _a, _s, w in CALL_ATTITUDES)
assert len(INTERACTION_W) == len(INTERACTION_TYPES)

# --------------------------------------------------------------------------- overrides
# (scheme, tier code, reason, approver, valid_from and valid_until in days from the
# as-of date; None = until withdrawn): in force, in force until withdrawn, in force on
# the effective (fast up / slow down) star level, expired, starting after the as-of
# date. Approvers are staff numbers, and no text holds a customer-like name.
OVERRIDES = (
    ("value_tier", "VIP", "战略合作客户，经分行审批保持VIP服务", "零售业务部 E10217", -60, 120),
    ("credit_grade", "D", "涉及诉讼，授信审慎处理", "风险管理部 E20531", -20, None),
    ("effective_star_level", "STAR_6", "代发工资客户，保级一年", "个人金融部 E10388", -90, 275),
    ("loyalty_tier", "HIGH", "营销活动期间临时上调", "营销管理部 E30112", -120, -31),
    ("contribution_tier", "HIGH", "新签约客户，首笔业务入账前暂定", "公司业务部 E40076", 10, 100),
)  # fmt: skip
