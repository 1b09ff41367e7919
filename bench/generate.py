"""Realistic contacts and companies for benchmarks, fast enough for millions of rows.

Faker is too slow to call per row at a million rows, so each locale gets pools of names, streets,
cities, postcodes and job titles once; rows combine pool entries with a seeded random.Random.
Phone numbers come from phonenumbers' example numbers with randomised trailing digits, checked
valid when the pools are built, and are written in each country's national format.

Rows are in the input format of `save_contacts_bulk` / `save_company`.
"""

from __future__ import annotations

import random
import re
import string
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import phonenumbers
from faker import Faker
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from tidycrm.companies.choices import CompanySize
from tidycrm.contacts.choices import LifecycleStage

# locale -> (ISO country, share of rows, free-mail domains)
LOCALES: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "en_US": ("US", 0.30, ("gmail.com", "yahoo.com", "outlook.com", "icloud.com")),
    "en_GB": ("GB", 0.12, ("gmail.com", "btinternet.com", "yahoo.co.uk", "outlook.com")),
    "de_DE": ("DE", 0.12, ("web.de", "gmx.de", "t-online.de", "gmail.com")),
    "fr_FR": ("FR", 0.07, ("orange.fr", "free.fr", "gmail.com", "laposte.net")),
    "es_ES": ("ES", 0.05, ("gmail.com", "hotmail.es", "telefonica.net")),
    "it_IT": ("IT", 0.04, ("libero.it", "gmail.com", "virgilio.it")),
    "nl_NL": ("NL", 0.03, ("ziggo.nl", "gmail.com", "kpnmail.nl")),
    "pl_PL": ("PL", 0.03, ("wp.pl", "onet.pl", "gmail.com")),
    "tr_TR": ("TR", 0.06, ("gmail.com", "hotmail.com", "yandex.com.tr")),
    "pt_BR": ("BR", 0.05, ("gmail.com", "uol.com.br", "bol.com.br")),
    "ko_KR": ("KR", 0.05, ("naver.com", "daum.net", "gmail.com")),
    "ja_JP": ("JP", 0.04, ("gmail.com", "yahoo.co.jp", "docomo.ne.jp")),
    "th_TH": ("TH", 0.02, ("gmail.com", "hotmail.co.th")),
    "hi_IN": ("IN", 0.02, ("gmail.com", "rediffmail.com", "yahoo.co.in")),
}
STAGES = tuple(LifecycleStage.values)
STAGE_WEIGHTS = (10, 40, 12, 8, 6, 20, 2, 2)
TAGS = (
    "vip",
    "newsletter",
    "trade-show",
    "partner",
    "churn-risk",
    "webinar",
    "référence",
    "beta",
    "renewal",
    "enterprise",
)
INDUSTRIES = (
    "Software",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Finance",
    "Logistics",
    "Education",
    "Energy",
    "Media",
    "Hospitality",
    "Construction",
    "Agriculture",
)
SIZES = tuple(CompanySize.values)
POOL = 400


@cache
def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters of a name, for e-mail local parts and domains."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("ß", "ss"))
    return re.sub(r"[^a-z0-9]+", "", decomposed.encode("ascii", "ignore").decode().lower())


@dataclass
class LocalePool:
    locale: str
    country: str
    mail_domains: tuple[str, ...]
    given: list[str] = field(default_factory=list)
    family: list[str] = field(default_factory=list)
    latin: list[str] = field(default_factory=list)  # ASCII handles for non-Latin scripts
    streets: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    postcodes: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    # Formatted numbers whose "#" marks are filled with random digits.
    phone_templates: list[str] = field(default_factory=list)


def _unique(make: Any, count: int, tries: int = 4) -> list[str]:
    seen: dict[str, None] = {}
    for _ in range(count * tries):
        seen.setdefault(str(make()), None)
        if len(seen) >= count:
            break
    return list(seen)


def _phone_templates(country: str, rng: random.Random) -> list[str]:
    """National and international layouts of example numbers, trailing digits left free.

    A layout is kept only if every random sample of it parses as a valid number.
    """
    templates: list[str] = []
    for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE):
        example = phonenumbers.example_number_for_type(country, kind)
        if example is None:
            continue
        national = str(example.national_number)
        for free in (7, 6, 5, 4):
            if len(national) - free < 2:
                continue
            prefix = national[: len(national) - free]
            samples = [prefix + "".join(rng.choices(string.digits, k=free)) for _ in range(100)]
            if all(phonenumbers.is_valid_number(phonenumbers.parse(s, country)) for s in samples):
                for style in (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL):
                    shown = phonenumbers.format_number(example, style)
                    templates.append(_free_last_digits(shown, free))
                break
    return templates


def _free_last_digits(shown: str, free: int) -> str:
    chars = list(shown)
    for i in range(len(chars) - 1, -1, -1):
        if free and chars[i].isdigit():
            chars[i], free = "#", free - 1
    return "".join(chars)


@cache
def pools(seed: int = 7) -> tuple[LocalePool, ...]:
    rng = random.Random(seed)
    english = Faker("en_US")
    english.seed_instance(seed)
    built: list[LocalePool] = []
    for locale, (country, _, mail) in LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(seed)
        pool = LocalePool(locale=locale, country=country, mail_domains=mail)
        pool.given = _unique(fake.first_name, POOL)
        pool.family = _unique(fake.last_name, POOL)
        pool.latin = _unique(english.user_name, POOL)
        pool.streets = _unique(fake.street_address, POOL)
        pool.cities = _unique(fake.city, POOL // 2)
        pool.postcodes = _unique(fake.postcode, POOL)
        try:
            pool.jobs = _unique(fake.job, POOL // 2)
        except AttributeError:
            pool.jobs = _unique(english.job, POOL // 2)
        pool.companies = _unique(fake.company, POOL)
        pool.phone_templates = _phone_templates(country, rng)
        built.append(pool)
    return tuple(built)


def _phone(pool: LocalePool, rng: random.Random) -> str:
    # Mostly national layout (even indexes), sometimes international.
    index = rng.randrange(len(pool.phone_templates))
    if index % 2 and rng.random() < 0.6:
        index -= 1
    template = pool.phone_templates[index]
    return "".join(rng.choice(string.digits) if ch == "#" else ch for ch in template)


class Generator:
    """Seeded: the same seed gives the same rows, so runs are comparable."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.pools = pools(seed)
        self.weights = [LOCALES[p.locale][1] for p in self.pools]

    def reseed(self, seed: int) -> None:
        """Start a new stream, so a resumed load makes the same rows it would have made."""
        self.rng = random.Random(seed)

    def _pool(self) -> LocalePool:
        return self.rng.choices(self.pools, self.weights)[0]

    def company(self, index: int) -> dict[str, Any]:
        rng, pool = self.rng, self._pool()
        name = f"{rng.choice(pool.companies)}"
        slug = ascii_slug(name)[:30] or ascii_slug(rng.choice(pool.latin))
        tld = {
            "US": "com",
            "GB": "co.uk",
            "KR": "co.kr",
            "JP": "co.jp",
            "TH": "co.th",
            "IN": "in",
            "BR": "com.br",
            "TR": "com.tr",
        }.get(pool.country, pool.country.lower())
        domain = f"{slug}{index}.{tld}"
        row: dict[str, Any] = {
            "name": f"{name} {index}" if rng.random() < 0.5 else name,
            "industry": rng.choice(INDUSTRIES),
            "size": rng.choice(SIZES),
            "website": f"https://www.{domain}",
            "domains": [domain],
            "external_id": f"bench-co-{index}",
            "addresses": [
                {
                    "street": rng.choice(pool.streets),
                    "city": rng.choice(pool.cities),
                    "postal_code": rng.choice(pool.postcodes),
                    "country": pool.country,
                    "label": "main",
                }
            ],
        }
        if pool.phone_templates:
            row["phones"] = [{"number": _phone(pool, rng), "label": "main"}]
        return row

    def contact(
        self,
        index: int,
        owner_ids: Sequence[int] = (),
        company_ids: Sequence[int] = (),
        company_domains: Sequence[str] = (),
    ) -> dict[str, Any]:
        rng, pool = self.rng, self._pool()
        given, family = rng.choice(pool.given), rng.choice(pool.family)
        handle = ascii_slug(given) and ascii_slug(family)
        local = (
            f"{ascii_slug(given)}.{ascii_slug(family)}" if handle else rng.choice(pool.latin)
        ) + str(index)
        company_at = rng.randrange(len(company_ids)) if company_ids and rng.random() < 0.7 else None
        emails = [{"address": f"{local}@{rng.choice(pool.mail_domains)}", "label": "home"}]
        if company_at is not None and company_domains:
            emails.insert(0, {"address": f"{local}@{company_domains[company_at]}", "label": "work"})
        phones = []
        if pool.phone_templates and rng.random() < 0.85:
            phones.append({"number": _phone(pool, rng), "label": rng.choice(("mobile", "work"))})
            if rng.random() < 0.2:
                phones.append({"number": _phone(pool, rng), "label": "home"})
        row: dict[str, Any] = {
            "given_name": given,
            "family_name": family,
            "emails": emails,
            "phones": phones,
            "country": pool.country,
            "city": rng.choice(pool.cities),
            "job_title": rng.choice(pool.jobs),
            "lifecycle_stage": rng.choices(STAGES, STAGE_WEIGHTS)[0],
            "external_id": f"bench-{index}",
        }
        if rng.random() < 0.6:
            row["addresses"] = [
                {
                    "street": rng.choice(pool.streets),
                    "city": row["city"],
                    "postal_code": rng.choice(pool.postcodes),
                    "country": pool.country,
                    "label": "home",
                }
            ]
        if owner_ids:
            row["owner_id"] = rng.choice(owner_ids)
        if rng.random() < 0.3:
            row["tags"] = rng.sample(TAGS, rng.randint(1, 3))
        if company_at is not None:
            row["companies"] = [
                {"company_id": company_ids[company_at], "job_title": row["job_title"]}
            ]
        return row

    def contacts(self, start: int, count: int, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for index in range(start, start + count):
            yield self.contact(index, **kwargs)


if __name__ == "__main__":
    import json
    import sys
    import time

    from bench.common import fixed_hash_seed

    fixed_hash_seed()

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    began = time.perf_counter()
    generator = Generator()
    built = time.perf_counter()
    rows = list(
        generator.contacts(
            0, n, owner_ids=[1, 2, 3], company_ids=[1, 2], company_domains=["a.com", "b.de"]
        )
    )
    done = time.perf_counter()
    if n <= 20:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    print(
        f"pools {built - began:.1f}s, {n} rows {done - built:.2f}s ({n / (done - built):,.0f}/s)",
        file=sys.stderr,
    )
