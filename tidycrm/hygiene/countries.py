"""Countries to ISO 3166-1 alpha-2 from codes, English names and common local spellings."""

from __future__ import annotations

import gettext
from functools import cache, lru_cache

import pycountry

from tidycrm.hygiene.result import Standardised
from tidycrm.hygiene.text import fold

# Spellings pycountry does not know: everyday abbreviations and names in the local language.
_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "britain": "GB",
    "us": "US",
    "usa": "US",
    "u s": "US",
    "u s a": "US",
    "america": "US",
    "united states of america": "US",
    "turkiye": "TR",
    "turkey": "TR",
    "deutschland": "DE",
    "대한민국": "KR",
    "한국": "KR",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "ประเทศไทย": "TH",
    "ไทย": "TH",
    "österreich": "AT",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "espana": "ES",
    "españa": "ES",
    "italia": "IT",
    "nederland": "NL",
    "holland": "NL",
    "россия": "RU",
    "russia": "RU",
    "中国": "CN",
    "日本": "JP",
    "nippon": "JP",
    "brasil": "BR",
    "polska": "PL",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "ελλαδα": "GR",
    "hellas": "GR",
    "mexico": "MX",
    "méxico": "MX",
    "uae": "AE",
    "czechia": "CZ",
    "czech republic": "CZ",
    "vietnam": "VN",
    "viet nam": "VN",
    "us of a": "US",
    "u k": "GB",
    "u a e": "AE",
    "northern ireland": "GB",
    "korea south": "KR",
    "s korea": "KR",
    "nihon": "JP",
    "prc": "CN",
    "bharat": "IN",
    "russland": "RU",
    "rusia": "RU",
    "emirates": "AE",
    "česko": "CZ",
    "ivory coast": "CI",
    "éire": "IE",
    "eire": "IE",
    "republic of ireland": "IE",
    "rsa": "ZA",
    "aotearoa": "NZ",
    "台灣": "TW",
    "臺灣": "TW",
    "republic of china taiwan": "TW",
}


# Languages whose country names pycountry's translations add: those of the markets served.
_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "tr", "ko", "th", "ja", "zh_CN", "ru", "pl")


@cache
def _index() -> dict[str, str]:
    table: dict[str, str] = {}
    translations = []
    for language in _LANGUAGES:
        try:
            translations.append(
                gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
            )
        except OSError:
            continue
    for country in pycountry.countries:
        code = country.alpha_2
        names = [
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
            country.name,
        ]
        # Translations first, so English names and codes win a clash ("Mali" is not Malawi).
        for translation in translations:
            for name in names:
                if name:
                    table.setdefault(_key(translation.gettext(name)), code)
        for name in (*names, country.alpha_2, country.alpha_3):
            if name:
                table[_key(name)] = code
    for alias, code in _ALIASES.items():
        table[_key(alias)] = code
    return table


# Punctuation that only separates words in a country's name: "Korea, South", "U.K.",
# "Korea (South)".
_SEPARATORS = str.maketrans(dict.fromkeys(".-,()/", " "))


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    words = fold(text).translate(_SEPARATORS).split()
    if len(words) > 1 and words[0] == "the":  # "The Netherlands", "the United States"
        words = words[1:]
    return " ".join(words)


def standardise_country(raw: str) -> Standardised[str]:
    key = _key(raw[:200])
    if not key:
        return Standardised(raw=raw, value=None, problems=["is empty."])
    code = _index().get(key)
    if code is None:
        return Standardised(
            raw=raw, value=None, problems=[f"'{raw.strip()}' is not a known country."]
        )
    return Standardised(raw=raw, value=code)


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    return getattr(country, "common_name", None) or (country.name if country else code)
