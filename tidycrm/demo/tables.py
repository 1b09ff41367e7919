"""Fixed tables for the demo data: countries, users, custom fields, and names and places that
Faker lacks or renders poorly for some locales."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tidycrm.accounts.choices import Role
from tidycrm.contacts.choices import LifecycleStage
from tidycrm.customfields.choices import FieldType

EUROPE_AMERICAS = "Europe & Americas"
ASIA_PACIFIC = "Asia Pacific"


@dataclass(frozen=True)
class Country:
    code: str
    locale: str
    language: str
    name: str  # how a person might type it; the door turns it into the ISO code
    team: str
    weight: int


COUNTRIES = (
    Country("US", "en_US", "en", "USA", EUROPE_AMERICAS, 5),
    Country("GB", "en_GB", "en", "United Kingdom", EUROPE_AMERICAS, 3),
    Country("DE", "de_DE", "de", "Deutschland", EUROPE_AMERICAS, 4),
    Country("FR", "fr_FR", "fr", "France", EUROPE_AMERICAS, 2),
    Country("TR", "tr_TR", "tr", "Türkiye", EUROPE_AMERICAS, 3),
    Country("KR", "ko_KR", "ko", "South Korea", ASIA_PACIFIC, 3),
    Country("TH", "th_TH", "th", "Thailand", ASIA_PACIFIC, 2),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    team: str | None
    first_name: str
    last_name: str


USERS = (
    DemoUser("admin", Role.ADMIN, None, "Alex", "Admin"),
    DemoUser("maria.weber", Role.MANAGER, EUROPE_AMERICAS, "Maria", "Weber"),
    DemoUser("tom.baker", Role.SALES, EUROPE_AMERICAS, "Tom", "Baker"),
    DemoUser("elif.yilmaz", Role.SALES, EUROPE_AMERICAS, "Elif", "Yılmaz"),
    DemoUser("jiwoo.park", Role.MANAGER, ASIA_PACIFIC, "Ji-woo", "Park"),
    DemoUser("somchai.srisuk", Role.SALES, ASIA_PACIFIC, "Somchai", "Srisuk"),
    DemoUser("lena.fischer", Role.MARKETING, None, "Lena", "Fischer"),
    DemoUser("sam.okafor", Role.SUPPORT, None, "Sam", "Okafor"),
)

# fmt: off
CONTACT_FIELDS = (
    dict(key="preferred_channel", label="Preferred channel", field_type=FieldType.CHOICE,
         choices=["email", "phone", "sms", "messenger"], position=1),
    dict(key="newsletter", label="Newsletter", field_type=FieldType.BOOLEAN, position=2),
    dict(key="nps_score", label="NPS score", field_type=FieldType.INTEGER, position=3,
         help_text="Last answer to 'How likely are you to recommend us?' (0-10)"),
)
COMPANY_FIELDS = (
    dict(key="contract_tier", label="Contract tier", field_type=FieldType.CHOICE,
         choices=["bronze", "silver", "gold", "platinum"], position=1),
    dict(key="renewal_date", label="Renewal date", field_type=FieldType.DATE, position=2),
)
CONTACT_TAGS = (
    "VIP", "Newsletter", "Trade fair 2026", "Decision maker", "Beta tester", "Churn risk",
)
COMPANY_TAGS = ("Key account", "Reseller", "Partner", "Public sector")
INDUSTRIES = (
    "Software", "Manufacturing", "Logistics", "Retail", "Healthcare", "Financial services",
    "Hospitality", "Education", "Energy", "Media", "Automotive", "Construction",
)
DEPARTMENTS = ("Sales", "Marketing", "Purchasing", "IT", "Finance", "Operations", "Management")
INTERESTS = ("analytics", "automation", "security", "integrations", "mobile", "reporting", "ai")
LIFECYCLE_WEIGHTS = {
    LifecycleStage.SUBSCRIBER: 2, LifecycleStage.LEAD: 5, LifecycleStage.MQL: 3,
    LifecycleStage.SQL: 2, LifecycleStage.OPPORTUNITY: 2, LifecycleStage.CUSTOMER: 5,
    LifecycleStage.EVANGELIST: 1,
}

# Faker's Turkish and Korean address data is thin; these are real cities and streets.
TR_PLACES = (
    ("İstanbul", "İstanbul", "34"), ("Ankara", "Ankara", "06"), ("İzmir", "İzmir", "35"),
    ("Bursa", "Bursa", "16"), ("Antalya", "Antalya", "07"), ("Konya", "Konya", "42"),
)
TR_STREETS = ("Atatürk Cad.", "Cumhuriyet Cad.", "İstiklal Cad.", "Bağdat Cad.", "Gazi Bulvarı")
KR_PLACES = (
    ("서울특별시", "강남구", "테헤란로"), ("서울특별시", "마포구", "월드컵북로"),
    ("부산광역시", "해운대구", "센텀중앙로"), ("인천광역시", "연수구", "컨벤시아대로"),
    ("대구광역시", "수성구", "달구벌대로"), ("경기도", "성남시", "판교역로"),
)
# Thai names with the romanisation their owners use in e-mail addresses.
TH_GIVEN = (
    ("สมชาย", "somchai"), ("สมศักดิ์", "somsak"), ("ประเสริฐ", "prasert"), ("วิชัย", "wichai"),
    ("อนุชา", "anucha"), ("ณัฐพล", "natthaphon"), ("ธนากร", "thanakorn"), ("กิตติ", "kitti"),
    ("สุดา", "suda"), ("มาลี", "malee"), ("นภา", "napha"), ("กาญจนา", "kanchana"),
    ("ปราณี", "pranee"), ("ศิริพร", "siriporn"), ("พิมพ์ชนก", "pimchanok"), ("ธิดา", "thida"),
)
TH_FAMILY = (
    ("ศรีสุข", "srisuk"), ("แก้วมณี", "kaewmanee"), ("สุขสวัสดิ์", "suksawat"), ("ทองดี", "thongdee"),
    ("วงศ์สวัสดิ์", "wongsawat"), ("รัตนพันธ์", "rattanaphan"), ("บุญมา", "boonma"),
    ("เจริญสุข", "charoensuk"), ("พรหมมา", "phromma"), ("อินทร์แก้ว", "inkaew"),
)
KR_FAMILY_ROMAN = {
    "김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang", "조": "cho",
    "윤": "yoon", "장": "jang", "임": "lim", "한": "han", "오": "oh", "서": "seo", "신": "shin",
    "권": "kwon", "황": "hwang", "안": "ahn", "송": "song", "류": "ryu", "홍": "hong",
}
KR_INITIALS = "g kk n d tt r m b pp s ss - j jj ch k t p h".split()  # noqa: SIM905
KR_MEDIALS = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split()  # noqa: SIM905
KR_FINALS = ["", *"k k k n n n t l k m l l l p l m p p t t ng t t k t p t".split()]  # noqa: SIM905
LEGAL_WORDS = re.compile(
    r"\b(gmbh|co|kg|ohg|ag|inc|llc|ltd|plc|and|sons|und|group|s\.?a\.?s?|sarl|san|tic|a\.?s|유한회사|주식회사)\b"
)
# fmt: on
