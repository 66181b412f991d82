"""Vocabularies of the demo city: Chinese names, places of origin, phone prefixes, trade words.

All names are made up from common characters; any match with a real person or company
is chance.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "BUSINESS_TRADES",
    "COMPANY_INDUSTRIES",
    "ESTATE_SUFFIXES",
    "GIVEN_FEMALE",
    "GIVEN_MALE",
    "ORIGIN_REGIONS",
    "ORIGIN_WEIGHTS",
    "PHONE_PREFIXES",
    "ROAD_SUFFIXES",
    "SOCIAL_ORGANISATION_KINDS",
    "SURNAMES",
    "SURNAME_WEIGHTS",
    "TRADE_NAME_CHARS",
]

# 百家姓 by frequency, with the southern surnames (陈, 黄, 林, 梁...) weighted up a little.
_SURNAMES = (
    "陈9 李8 黄6 张6 王6 刘5 林4 吴3 杨3 周3 梁3 郑2 谢2 罗2 何2 曾2 钟2 赵2 徐2 邓2 "
    "叶2 朱2 许2 孙2 胡2 彭2 蔡2 郭2 马1 高1 方1 廖1 卢1 杜1 潘1 肖1 苏1 田1 余1 邱1 "
    "袁1 冯1 唐1 蒋1 邹1 韩1 赖1 温1 姚1 魏1 程1 宋1 丁1 任1 沈1 董1 江1 严1 汤1 "
    "欧阳1 司马1 上官1"
)
SURNAMES: tuple[str, ...] = tuple(dict.fromkeys(w.rstrip("0123456789") for w in _SURNAMES.split()))
_SURNAME_COUNTS = {
    w.rstrip("0123456789"): int(w[len(w.rstrip("0123456789")) :]) for w in _SURNAMES.split()
}
SURNAME_WEIGHTS = np.array([_SURNAME_COUNTS[s] for s in SURNAMES], dtype=np.float64)
SURNAME_WEIGHTS /= SURNAME_WEIGHTS.sum()

_GIVEN_MALE = (
    "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宇 浩 凯 健 俊 帆 帅 旭 宁 龙 林 "
    "峰 建 国 志 文 海 东 亮 成 斌 晨 轩 睿 博 子 梓 宏 振 家 嘉 泽 锦 毅 航 铭 豪 诚 达 坤"
)
GIVEN_MALE: tuple[str, ...] = tuple(_GIVEN_MALE.split())
_GIVEN_FEMALE = (
    "芳 娜 敏 静 丽 艳 娟 霞 燕 玲 婷 雪 慧 颖 琳 洁 倩 晶 欣 怡 萍 红 梅 莉 兰 云 月 "
    "佳 雨 诗 涵 悦 思 彤 琪 瑶 蕾 璐 妍 晓 秀 凤 春 桂 英 华 美 淑 丹 茜 宁 薇 琴"
)
GIVEN_FEMALE: tuple[str, ...] = tuple(_GIVEN_FEMALE.split())

#: 6-digit 行政区划 codes of places that Shenzhen's migrants (流动人口) come from, with weights:
#: other Guangdong cities first, then Hunan, Guangxi, Hubei, Jiangxi, Henan, Sichuan...
_ORIGINS = (
    "441402:3 441403:2 441481:2 440823:3 440825:2 441581:3 445281:4 445202:2 440513:3 "
    "440514:2 441723:1 440882:2 441223:1 441625:2 441424:2 445122:2 "
    "430524:3 430521:2 430421:2 431021:2 430681:2 431381:1 430903:1 431102:1 430223:1 "
    "450881:3 450821:2 450921:2 451025:1 452601:1 450721:1 "
    "420683:2 421182:1 420821:1 421023:1 422801:1 "
    "360731:2 360733:2 362502:1 360124:1 "
    "411425:2 411528:1 412724:1 410928:1 "
    "510722:2 511623:1 510623:1 500101:2 500228:1 "
    "350583:1 350182:1 522126:1 522601:1 341221:1 341222:1 130682:0.5 370683:0.5 "
    "610125:0.5 620102:0.3 230183:0.3 210281:0.3 320482:0.5 330382:0.5"
)
ORIGIN_REGIONS: tuple[str, ...] = tuple(item.split(":")[0] for item in _ORIGINS.split())
ORIGIN_WEIGHTS = np.array([float(item.split(":")[1]) for item in _ORIGINS.split()])
ORIGIN_WEIGHTS /= ORIGIN_WEIGHTS.sum()

#: 手机号段 (three-digit prefixes of the mobile carriers).
_PHONE_PREFIXES = (
    "134 135 136 137 138 139 150 151 152 157 158 159 182 183 187 188 198 130 131 132 155 "
    "156 185 186 166 176 133 153 180 181 189 177 173 199 191"
)
PHONE_PREFIXES: tuple[str, ...] = tuple(_PHONE_PREFIXES.split())

#: Characters of 字号 (trade names) and estate names.
_TRADE_NAME_CHARS = (
    "华 兴 达 信 盛 源 泰 宏 鑫 丰 瑞 通 创 新 天 恒 海 鹏 金 利 安 美 佳 汇 联 诚 博 智 "
    "腾 越 嘉 康 润 锦 荣 昌 辉 卓 凯 鼎 讯 科 晟 亿 合 富 星 光 明 德 聚 益 尚 优"
)
TRADE_NAME_CHARS: tuple[str, ...] = tuple(_TRADE_NAME_CHARS.split())
ESTATE_SUFFIXES: tuple[str, ...] = (
    "花园",
    "花园",
    "苑",
    "华庭",
    "雅居",
    "家园",
    "公馆",
    "新村",
    "名苑",
    "豪庭",
    "山庄",
    "城",
)
ROAD_SUFFIXES: tuple[str, ...] = ("路", "路", "路", "街", "大道", "巷", "道")

#: Individual businesses (个体工商户): trade, GB/T 4754 门类.
BUSINESS_TRADES: tuple[tuple[str, str], ...] = (
    ("便利店", "F"),
    ("士多店", "F"),
    ("餐馆", "H"),
    ("粉面店", "H"),
    ("快餐店", "H"),
    ("烧腊店", "H"),
    ("奶茶店", "H"),
    ("水果店", "F"),
    ("理发店", "O"),
    ("美甲店", "O"),
    ("五金店", "F"),
    ("手机维修店", "O"),
    ("服装店", "F"),
    ("药店", "F"),
    ("洗衣店", "O"),
    ("菜档", "F"),
    ("肉档", "F"),
    ("茶行", "F"),
    ("电动车行", "F"),
    ("棋牌室", "R"),
)
#: Enterprises (企业): business words and GB/T 4754 门类, by where they sit.
COMPANY_INDUSTRIES: dict[str, tuple[tuple[str, str], ...]] = {
    "office": (
        ("科技", "I"),
        ("信息技术", "I"),
        ("网络科技", "I"),
        ("投资咨询", "L"),
        ("商务服务", "L"),
        ("贸易", "F"),
        ("供应链管理", "G"),
        ("文化传媒", "R"),
        ("设计", "M"),
        ("教育咨询", "P"),
        ("房地产经纪", "K"),
        ("建筑工程", "E"),
        ("金融服务", "J"),
        ("电子商务", "F"),
        ("医疗器械", "F"),
    ),
    "industrial": (
        ("电子", "C"),
        ("精密五金", "C"),
        ("塑胶制品", "C"),
        ("包装材料", "C"),
        ("光电", "C"),
        ("模具", "C"),
        ("服装", "C"),
        ("家具", "C"),
        ("印刷", "C"),
        ("物流", "G"),
        ("新材料", "C"),
        ("智能设备", "C"),
    ),
    "commercial": (
        ("商贸", "F"),
        ("餐饮管理", "H"),
        ("酒店管理", "H"),
        ("百货", "F"),
        ("物业管理", "K"),
        ("美容", "O"),
        ("健身", "R"),
    ),
}
#: Social organisations (社会组织): name ending, GB 32100 type (1 团体, 2 服务机构, 3 基金会).
SOCIAL_ORGANISATION_KINDS: tuple[tuple[str, str], ...] = (
    ("协会", "1"),
    ("商会", "1"),
    ("促进会", "1"),
    ("社工服务中心", "2"),
    ("志愿者协会", "1"),
    ("养老服务中心", "2"),
    ("文体俱乐部", "1"),
    ("公益基金会", "3"),
)
