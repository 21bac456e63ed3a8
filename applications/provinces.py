"""Provinces (省级行政区) of an applicant, from its address or its credit code.

Pure. The unified social credit code (GB 32100) carries the registering authority's
administrative-division code (GB/T 2260) in characters 3–8; its first two digits are the
province. An address is read first: it names where the unit is, while the code names
where it registered (the same place, mostly).
"""

# GB/T 2260 province codes, and the first two characters of each name (unique).
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}
BY_PREFIX: dict[str, str] = {name[:2]: name for name in PROVINCES.values()}
UNKNOWN = "未知"


def province_of(address_prefix: str, division_digits: str) -> str:
    """The province named by the first two characters of an address, else by the two
    division digits of a credit code (its characters 3–4), else ``UNKNOWN``."""
    return BY_PREFIX.get(address_prefix) or PROVINCES.get(division_digits) or UNKNOWN
