"""A messy multi-country CRM contact file with known duplicates, for the dedupe benchmark.

People reach a CRM through different channels, each with its own identifiers:

- business card: work e-mail, office line (often the company switchboard), company, office address
- web form: personal (sometimes work) e-mail, mobile, city
- event badge: full name as printed (title, family-name-first order), company, no phone
- shop order: personal e-mail, home phone or mobile, home address

On top: nicknames, typos, letters typed without their accents, ALL CAPS, swapped name order,
every phone layout, company legal-form variants, missing fields and married-name changes. And
the people who are *not* duplicates but look like them: relatives sharing a home phone and
address, colleagues sharing a switchboard and an info@ inbox, namesakes in other cities.

Writes a CSV with the standard import headers and a truth file (external_id,entity_id).

    .venv/bin/python bench/dedupe/generate_crm.py --people 20000 --out bench/data/dedupe/crm-20k
"""

from __future__ import annotations

import argparse
import csv
import random
import string
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers
from nicknames import NickNamer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import fixed_hash_seed
from bench.generate import LOCALES, LocalePool, ascii_slug, pools

HEADERS = [
    "external_id",
    "first_name",
    "last_name",
    "name",
    "email",
    "phone",
    "mobile",
    "company",
    "job_title",
    "street",
    "city",
    "postal_code",
    "country",
]
# legal forms per country, as people write them in several ways
LEGAL_FORMS = {
    "US": (("Inc.", "Inc", "Incorporated"), ("LLC", "L.L.C."), ("Corp.", "Corporation")),
    "GB": (("Ltd", "Ltd.", "Limited"), ("PLC", "plc")),
    "DE": (("GmbH",), ("AG",), ("GmbH & Co. KG",)),
    "FR": (("SARL",), ("SA", "S.A."), ("SAS", "S.A.S.")),
    "ES": (("S.L.", "SL"), ("S.A.", "SA")),
    "IT": (("S.r.l.", "SRL"), ("S.p.A.", "SpA")),
    "NL": (("B.V.", "BV"), ("N.V.", "NV")),
    "PL": (("sp. z o.o.",),),
    "TR": (("A.Ş.", "AŞ", "A.S."), ("Ltd. Şti.", "Ltd. Sti.")),
    "BR": (("Ltda.",), ("S.A.", "SA")),
    "KR": (("주식회사", "(주)", "㈜"),),
    "JP": (("株式会社", "K.K."),),
    "TH": (("จำกัด",),),
    "IN": (("Pvt. Ltd.", "Private Limited"),),
}
HONORIFICS = {
    "US": ("Mr.", "Ms.", "Dr."),
    "GB": ("Mr", "Mrs", "Dr"),
    "DE": ("Herr", "Frau", "Dr."),
    "FR": ("M.", "Mme"),
    "TR": ("Sayın",),
}
EAST_ASIAN = {"KR", "JP"}
CHANNELS = ("card", "form", "badge", "order")
TLD = {"US": "com", "GB": "co.uk", "KR": "co.kr", "JP": "co.jp", "TH": "co.th", "BR": "com.br"}


@dataclass
class Company:
    pool: LocalePool
    name: str
    forms: tuple[str, ...]
    domain: str
    switchboard: str
    street: str
    city: str
    postcode: str


@dataclass
class Person:
    entity: int
    pool: LocalePool
    given: str
    family: str
    married_family: str = ""
    company: Company | None = None
    job: str = ""
    work_email: str = ""
    personal_email: str = ""
    mobile: str = ""
    direct_line: str = ""
    home_phone: str = ""
    street: str = ""
    city: str = ""
    postcode: str = ""
    channels: list[str] = field(default_factory=list)
    alone: bool = True  # lives alone (relatives share the home)


class CrmGenerator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.pools = pools(7)
        self.weights = [LOCALES[p.locale][1] for p in self.pools]
        self.namer = NickNamer()
        self.used: set[str] = set()

    # ---- building blocks ------------------------------------------------------------------------

    def pool(self) -> LocalePool:
        return self.rng.choices(self.pools, self.weights)[0]

    def unique(self, make) -> str:  # type: ignore[no-untyped-def]
        for attempt in range(50):
            value = make(attempt)
            if value not in self.used:
                self.used.add(value)
                return str(value)
        raise RuntimeError("could not make a unique value")

    def phone_number(self, pool: LocalePool) -> str:
        """A number as E.164 (kept unique): the records write it in their own layouts."""
        templates = pool.phone_templates[::2] or pool.phone_templates

        def make(_: int) -> str:
            template = self.rng.choice(templates)
            text = "".join(self.rng.choice(string.digits) if c == "#" else c for c in template)
            number = phonenumbers.parse(text, pool.country)
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

        return self.unique(make)

    def company(self, index: int) -> Company:
        pool, rng = self.pool(), self.rng
        base = rng.choice(pool.companies)
        forms = rng.choice(LEGAL_FORMS.get(pool.country, (("Ltd",),)))
        slug = ascii_slug(base)[:20] or ascii_slug(rng.choice(pool.latin))
        return Company(
            pool=pool,
            name=f"{base} {index}" if rng.random() < 0.5 else base,
            forms=forms,
            domain=f"{slug}{index}.{TLD.get(pool.country, pool.country.lower())}",
            switchboard=self.phone_number(pool),
            street=rng.choice(pool.streets),
            city=rng.choice(pool.cities),
            postcode=rng.choice(pool.postcodes),
        )

    def handle(self, person: Person, family: str | None = None) -> str:
        given = ascii_slug(person.given) or ascii_slug(self.rng.choice(person.pool.latin))
        last = ascii_slug(family or person.family) or ascii_slug(self.rng.choice(person.pool.latin))
        style = self.rng.random()
        if style < 0.5:
            return f"{given}.{last}"
        if style < 0.7:
            return f"{given[:1]}{last}"
        if style < 0.85:
            return f"{given}{last}"
        return f"{given}_{last}"

    # ---- people ---------------------------------------------------------------------------------

    def people(self, count: int) -> list[Person]:
        rng = self.rng
        companies = [self.company(i) for i in range(max(1, count // 12))]
        self.by_country: dict[str, list[Company]] = {}
        for company in companies:
            self.by_country.setdefault(company.pool.country, []).append(company)
        people: list[Person] = []
        while len(people) < count:
            pool = self.pool()
            person = Person(len(people), pool, rng.choice(pool.given), rng.choice(pool.family))
            household = [person]
            if rng.random() < 0.12:  # relatives: one family name, home address and phone
                for _ in range(rng.randint(1, 3)):
                    given = rng.choice([g for g in pool.given[:60] if g != person.given])
                    household.append(
                        Person(len(people) + len(household), pool, given, person.family)
                    )
            home_phone = self.phone_number(pool) if rng.random() < 0.5 else ""
            street, city = rng.choice(pool.streets), rng.choice(pool.cities)
            postcode = rng.choice(pool.postcodes)
            for member in household:
                member.home_phone, member.street, member.city = home_phone, street, city
                member.postcode = postcode
                member.alone = len(household) == 1
                self.fill(member, companies)
            people.extend(household)
            if rng.random() < 0.04:  # a namesake elsewhere
                twin = Person(len(people), pool, person.given, person.family)
                twin.home_phone = self.phone_number(pool) if rng.random() < 0.4 else ""
                twin.city = rng.choice([c for c in pool.cities if c != person.city])
                twin.street, twin.postcode = rng.choice(pool.streets), rng.choice(pool.postcodes)
                self.fill(twin, companies)
                people.append(twin)
        return people[:count]

    def fill(self, person: Person, companies: list[Company]) -> None:
        rng = self.rng
        if rng.random() < 0.7:
            # mostly a company of the person's own country, and often in the home town
            local = self.by_country.get(person.pool.country)
            person.company = rng.choice(local if local and rng.random() < 0.85 else companies)
            if person.alone and rng.random() < 0.5:
                person.city = person.company.city
            person.job = rng.choice(person.company.pool.jobs)
            domain = person.company.domain
            person.work_email = self.unique(
                lambda n: f"{self.handle(person)}{n or ''}@{domain}".lower()
            )
            if rng.random() < 0.4:
                person.direct_line = self.phone_number(person.company.pool)
        mail = rng.choice(person.pool.mail_domains)
        person.personal_email = self.unique(
            lambda n: (
                f"{self.handle(person)}{rng.randint(1, 99) if n or rng.random() < 0.4 else ''}"
                f"@{mail}".lower()
            )
        )
        person.mobile = self.phone_number(person.pool) if rng.random() < 0.9 else ""
        if rng.random() < 0.05:
            person.married_family = rng.choice(person.pool.family)
        copies = rng.choices((1, 2, 3, 4), (52, 27, 13, 8))[0]
        wanted = ["card", "badge", "form", "order"] if person.company else ["form", "order"]
        person.channels = [rng.choice(wanted) for _ in range(copies)]

    # ---- records --------------------------------------------------------------------------------

    def records(self, person: Person) -> list[dict[str, str]]:
        rows = []
        for n, channel in enumerate(person.channels):
            later = n > 0 and bool(person.married_family) and self.rng.random() < 0.7
            row = getattr(self, channel)(person, person.married_family if later else person.family)
            rows.append(row)
        return rows

    def names(self, person: Person, family: str) -> tuple[str, str]:
        rng = self.rng
        given = person.given
        if person.pool.country in ("US", "GB") and rng.random() < 0.2:
            nicknames = sorted(self.namer.nicknames_of(given.lower()))
            if nicknames:
                given = rng.choice(nicknames).title()
        given, family = self.noisy(given), self.noisy(family)
        if rng.random() < 0.02:
            given, family = family, given
        if rng.random() < 0.02:
            given = ""
        return given, family

    def noisy(self, text: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.06 and len(text) > 3:
            at = rng.randrange(1, len(text) - 1)
            kind = rng.random()
            if kind < 0.4:
                text = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
            elif kind < 0.7:
                text = text[:at] + text[at + 1 :]
            else:
                text = text[:at] + rng.choice("aeinorst") + text[at + 1 :]
        elif roll < 0.12:
            text = text.upper()
        elif roll < 0.16:
            text = text.lower()
        if not text.isascii() and rng.random() < 0.3:
            text = self.fold(text)
        return text

    def fold(self, text: str) -> str:
        if self.rng.random() < 0.5:
            for a, b in (("ü", "ue"), ("ö", "oe"), ("ä", "ae"), ("Ü", "Ue"), ("Ö", "Oe")):
                text = text.replace(a, b)
        text = text.replace("ß", "ss").replace("ı", "i").replace("İ", "I")
        decomposed = unicodedata.normalize("NFKD", text)
        if any(
            unicodedata.name(c, "").startswith(("HANGUL", "CJK", "HIRAGANA", "KATAKANA", "THAI"))
            for c in text
        ):
            return text
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    def phone(self, e164: str, country: str) -> str:
        if not e164:
            return ""
        number = phonenumbers.parse(e164)
        rng = self.rng
        style = rng.random()
        if style < 0.35:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if style < 0.6:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if style < 0.75:
            return e164
        if style < 0.85:
            return "00" + e164[1:]
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        digits = "".join(c for c in national if c.isdigit())
        return "-".join(digits[i : i + 3] for i in range(0, len(digits), 3))

    def company_name(self, company: Company) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            return company.name
        form = rng.choice(company.forms)
        if form in ("주식회사", "(주)", "㈜", "株式会社") and rng.random() < 0.5:
            return f"{form} {company.name}"
        name = company.name.upper() if rng.random() < 0.08 else company.name
        return f"{name}{',' if rng.random() < 0.2 else ''} {form}"

    def email(self, address: str) -> str:
        if not address:
            return ""
        roll = self.rng.random()
        if roll < 0.08:
            return address.upper()
        if roll < 0.14:
            local, domain = address.split("@")
            return f"{local[:1].upper()}{local[1:]}@{domain.title()}"
        return address

    def base(self, person: Person, family: str) -> dict[str, str]:
        given, last = self.names(person, family)
        return {"first_name": given, "last_name": last, "country": person.pool.country}

    def card(self, person: Person, family: str) -> dict[str, str]:
        company = person.company
        assert company is not None
        row = self.base(person, family)
        office = person.direct_line or company.switchboard
        row |= {
            "email": self.email(person.work_email),
            "phone": self.phone(office, company.pool.country),
            "mobile": self.phone(person.mobile, person.pool.country)
            if self.rng.random() < 0.5
            else "",
            "company": self.company_name(company),
            "job_title": person.job,
            "street": company.street if self.rng.random() < 0.6 else "",
            "city": company.city,
            "postal_code": company.postcode if self.rng.random() < 0.6 else "",
        }
        if self.rng.random() < 0.06:  # the shared inbox instead of one's own
            row["email"] = f"info@{company.domain}"
        return row

    def form(self, person: Person, family: str) -> dict[str, str]:
        rng = self.rng
        row = self.base(person, family)
        use_work = person.work_email and rng.random() < 0.25
        row |= {
            "email": self.email(person.work_email if use_work else person.personal_email),
            "mobile": self.phone(person.mobile, person.pool.country) if rng.random() < 0.8 else "",
            "city": person.city if rng.random() < 0.6 else "",
        }
        if person.company and rng.random() < 0.4:
            row["company"] = self.company_name(person.company)
        return row

    def badge(self, person: Person, family: str) -> dict[str, str]:
        company = person.company
        assert company is not None
        rng = self.rng
        given, last = self.names(person, family)
        if person.pool.country in EAST_ASIAN:
            full = f"{last}{given}" if rng.random() < 0.5 else f"{last} {given}"
        else:
            full = f"{given} {last}" if rng.random() < 0.9 else f"{last}, {given}"
            titles = HONORIFICS.get(person.pool.country)
            if titles and rng.random() < 0.3:
                full = f"{rng.choice(titles)} {full}"
        return {
            "name": full.strip(),
            "company": self.company_name(company),
            "job_title": person.job if rng.random() < 0.5 else "",
            "email": self.email(person.work_email) if rng.random() < 0.6 else "",
            "city": company.city if rng.random() < 0.5 else "",
            "country": person.pool.country,
        }

    def order(self, person: Person, family: str) -> dict[str, str]:
        rng = self.rng
        row = self.base(person, family)
        phone = person.home_phone if person.home_phone and rng.random() < 0.6 else person.mobile
        row |= {
            "email": self.email(person.personal_email) if rng.random() < 0.9 else "",
            "phone": self.phone(phone, person.pool.country) if rng.random() < 0.8 else "",
            "street": person.street,
            "city": person.city,
            "postal_code": person.postcode,
        }
        return row


def main() -> None:
    fixed_hash_seed()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", default="bench/data/dedupe/crm", help="path prefix")
    args = parser.parse_args()
    began = time.perf_counter()
    generator = CrmGenerator(args.seed)
    people = generator.people(args.people)
    rows: list[tuple[str, int, dict[str, str]]] = []
    for person in people:
        for row in generator.records(person):
            rows.append(("", person.entity, row))
    generator.rng.shuffle(rows)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(f"{out}.csv", "w", newline="", encoding="utf-8") as data,
        open(f"{out}-truth.csv", "w", newline="", encoding="utf-8") as truth,
    ):
        writer = csv.DictWriter(data, HEADERS)
        writer.writeheader()
        truth_writer = csv.writer(truth)
        truth_writer.writerow(["external_id", "entity_id"])
        for index, (_, entity, row) in enumerate(rows):
            external_id = f"crm-{index}"
            writer.writerow({"external_id": external_id, **row})
            truth_writer.writerow([external_id, entity])
    print(
        f"{len(people):,} people, {len(rows):,} records -> {out}.csv "
        f"({time.perf_counter() - began:.1f} s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
