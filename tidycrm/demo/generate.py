"""Row generation for the demo: people, phones, e-mail addresses and places per country."""

from __future__ import annotations

import random
import re
import unicodedata

import phonenumbers
from faker import Faker
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from tidycrm.demo.tables import (
    COUNTRIES,
    KR_FAMILY_ROMAN,
    KR_FINALS,
    KR_INITIALS,
    KR_MEDIALS,
    KR_PLACES,
    LEGAL_WORDS,
    TH_FAMILY,
    TH_GIVEN,
    TR_PLACES,
    TR_STREETS,
    Country,
)


def romanise_hangul(text: str) -> str:
    """Revised Romanisation of each syllable, without sound-change rules: enough for addresses."""
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            out.append(ch)
            continue
        initial, rest = divmod(code, 588)
        medial, final = divmod(rest, 28)
        out.append(KR_INITIALS[initial].strip("-") + KR_MEDIALS[medial] + KR_FINALS[final])
    return "".join(out)


def ascii_word(text: str, language: str = "") -> str:
    """Lower-case ASCII letters and digits for e-mail local parts and domain names."""
    if language == "ko":
        text = KR_FAMILY_ROMAN.get(text) or romanise_hangul(text)
    if language == "de":
        for umlaut, spelled in (
            ("ä", "ae"),
            ("ö", "oe"),
            ("ü", "ue"),
            ("Ä", "Ae"),
            ("Ö", "Oe"),
            ("Ü", "Ue"),
        ):
            text = text.replace(umlaut, spelled)
    text = text.replace("ß", "ss").replace("ı", "i").replace("İ", "I")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


class Builder:
    """Generates the rows; keeps e-mails and phones unique so duplicates are only deliberate."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        for country in COUNTRIES:
            fake = Faker(country.locale)
            fake.seed_instance(seed)
            self.fakers[country.code] = fake
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.domains: set[str] = set()

    def country(self) -> Country:
        return self.rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]

    def phone(self, country: Country, mobile: bool) -> str:
        kind = PhoneNumberType.MOBILE if mobile else PhoneNumberType.FIXED_LINE
        example = phonenumbers.example_number_for_type(country.code, kind)
        assert example is not None
        base = str(example.national_number)
        number = example
        for tail in (6, 4):
            for _ in range(40):
                digits = base[:-tail] + "".join(str(self.rng.randrange(10)) for _ in range(tail))
                candidate = phonenumbers.PhoneNumber(
                    country_code=example.country_code, national_number=int(digits)
                )
                e164 = phonenumbers.format_number(candidate, PhoneNumberFormat.E164)
                if phonenumbers.is_valid_number(candidate) and e164 not in self.phones:
                    number = candidate
                    break
            else:
                continue
            break
        self.phones.add(phonenumbers.format_number(number, PhoneNumberFormat.E164))
        style = self.rng.random()
        if style < 0.7:  # as people write it at home
            return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        if style < 0.9:
            return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)

    def email(self, given: str, family: str, domain: str) -> str:
        styles = (
            f"{given}.{family}",
            f"{given[:1]}.{family}",
            f"{given}{family}",
            f"{given}_{family}",
        )
        local = self.rng.choice(styles).strip("._") or "contact"
        address = f"{local}@{domain}"
        n = 1
        while address.casefold() in self.emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.emails.add(address.casefold())
        return address

    def address(self, country: Country) -> dict[str, str]:
        fake = self.fakers[country.code]
        code = country.code
        if code == "TR":
            city, region, plate = self.rng.choice(TR_PLACES)
            street = f"{self.rng.choice(TR_STREETS)} No: {self.rng.randint(1, 240)}"
            postal = f"{plate}{self.rng.randint(0, 999):03d}"
        elif code == "KR":
            region, city, road = self.rng.choice(KR_PLACES)
            street, postal = (
                f"{road} {self.rng.randint(1, 400)}",
                f"{self.rng.randint(1000, 63999):05d}",
            )
        elif code == "TH":
            street, city = fake.street_address(), fake.province()
            region, postal = city, fake.postcode()
        else:
            street, city, postal = fake.street_address(), fake.city(), fake.postcode()
            region = fake.state() if code == "US" else ""
        return {
            "street": street,
            "city": city,
            "region": region,
            "postal_code": postal,
            "country": code,
        }

    def person(self, country: Country) -> tuple[dict[str, str], str, str]:
        """Name parts, and the ASCII given and family names for e-mail addresses."""
        fake = self.fakers[country.code]
        if country.code == "TH":
            (given, given_ascii), (family, family_ascii) = (
                self.rng.choice(TH_GIVEN),
                self.rng.choice(TH_FAMILY),
            )
            return {"given_name": given, "family_name": family}, given_ascii, family_ascii
        given, family = fake.first_name(), fake.last_name()
        names = {"given_name": given, "family_name": family}
        if country.language in ("en", "de") and self.rng.random() < 0.06:
            names["honorific"] = "Dr."
        return names, ascii_word(given, country.language), ascii_word(family, country.language)

    def company_domain(self, name: str, country: Country) -> str:
        words = LEGAL_WORDS.sub(" ", name.lower())
        slug = "-".join(w for w in (ascii_word(p, country.language) for p in words.split()) if w)
        if len(slug) < 3:  # Thai company names: no romanisation to hand
            slug = f"{self.fakers['US'].domain_word()}-{country.code.lower()}"
        slug = slug[:40].strip("-")
        domain, n = f"{slug}.example", 1
        while domain in self.domains:
            n += 1
            domain = f"{slug}{n}.example"
        self.domains.add(domain)
        return domain
