"""A small seeded population of people for training models in tests: many distinct people,
a share of them entered twice with the variations real data has."""

from __future__ import annotations

import random

from tidycrm.matching.records import PersonRecord

GIVEN: tuple[str, ...] = tuple(
    (  # noqa: SIM905
        "Robert William Elizabeth James Mary John Patricia Michael Jennifer David Linda Richard "
        "Barbara Joseph Susan Thomas Jessica Charles Sarah Daniel Karen Matthew Nancy Anthony Lisa "
        "Mark Betty Donald Margaret Steven Sandra Paul Ashley Andrew Kimberly Joshua Emily Kenneth "
        "Donna Kevin Michelle Brian Dorothy George Carol Timothy Amanda Ronald Melissa Edward "
        "Deborah Jason Stephanie Jeffrey Rebecca Ryan Sharon Jacob Laura Gary Cynthia Nicholas "
        "Kathleen Eric Amy Jonathan Angela Stephen Shirley Larry Anna Justin Brenda Scott Pamela"
    ).split()
)
FAMILY: tuple[str, ...] = tuple(
    (  # noqa: SIM905
        "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
        "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White "
        "Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres "
        "Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts "
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Yılmaz Kaya "
        "Demir Şahin Çelik Yıldız Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin Kara Koç"
    ).split()
)
CITIES = ("London", "Berlin", "Istanbul", "Paris", "Madrid", "Boston", "Leeds", "Hamburg")
COMPANIES = ("Acme Ltd", "Globex GmbH", "Initech Inc.", "Umbrella A.Ş.", "Hooli LLC", "Stark AG")


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    at = rng.randrange(1, len(text) - 1)
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def population(size: int = 3000, seed: int = 1) -> list[PersonRecord]:
    rng = random.Random(seed)
    records: list[PersonRecord] = []
    for n in range(size):
        given = rng.choice(GIVEN)
        family = rng.choice(FAMILY) + rng.choice(("", "", "son", "er", "ley", "ford", "ton", "ing"))
        city = rng.choice(CITIES)
        company = rng.choice(COMPANIES)
        user = f"{given}.{family}{n}".lower()
        person = PersonRecord(
            id=f"p{n}",
            given_name=given,
            family_name=family,
            emails=(f"{user}@example.com",),
            phones=(f"+4420{7000000 + n:07d}",),
            company=company,
            city=city,
            postal_code=f"{10000 + n % 900}",
        )
        records.append(person)
        if rng.random() < 0.3:  # the same person again, typed differently
            records.append(
                PersonRecord(
                    id=f"p{n}b",
                    given_name=_typo(rng, given) if rng.random() < 0.3 else given.upper(),
                    family_name=_typo(rng, family) if rng.random() < 0.3 else family,
                    emails=(f"{user}@example.com",) if rng.random() < 0.6 else (),
                    phones=(f"+4420{7000000 + n:07d}",) if rng.random() < 0.6 else (),
                    company=company if rng.random() < 0.7 else "",
                    city=city,
                    postal_code=f"{10000 + n % 900}" if rng.random() < 0.5 else "",
                )
            )
    return records
