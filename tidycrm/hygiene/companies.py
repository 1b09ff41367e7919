"""Company names and web domains: legal-form suffixes recognised, a canonical name key for
matching, and the organisation's domain from a website or a work e-mail address."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from tidycrm.hygiene.emails import is_free_mail_domain
from tidycrm.hygiene.text import clean, fold

# Legal forms as people write them; matched on the folded name, longest first, at the end (or,
# for Korean and Thai, at the start) of the name.
_LEGAL_FORMS = (
    "gmbh & co. kg", "gmbh & co kg", "gmbh", "mbh", "ag", "kg", "ohg", "e.v.", "ug",
    "incorporated", "inc.", "inc", "llc", "l.l.c.", "llp", "l.p.", "lp", "ltd.", "ltd", "limited",
    "co., ltd.", "co., ltd", "co. ltd.", "co ltd", "co.,ltd.", "company limited",
    "corp.", "corp", "corporation", "company", "co.", "plc", "p.l.c.", "pty ltd", "pty. ltd.",
    "pty limited", "a.ş.", "aş", "a.s.", "ltd. şti.", "ltd. sti.", "ltd şti", "ltd. şti", "şti.",
    "san. ve tic. a.ş.", "san. ve tic. ltd. şti.", "s.a.", "sa", "s.a.s.", "sas", "s.l.", "sl",
    "s.r.l.", "srl", "s.p.a.", "spa", "sarl", "s.à r.l.", "b.v.", "bv", "n.v.", "nv",
    "k.k.", "kk", "kabushiki kaisha", "oy", "oyj", "ab", "as", "a/s", "aps", "sp. z o.o.",
    "public company limited", "pcl",
    "ltda.", "ltda", "s.r.o.", "sro", "pte. ltd.", "pte ltd", "sdn. bhd.", "sdn bhd", "e.k.",
    "ug (haftungsbeschränkt)", "ggmbh", "se", "asa", "a.o.", "s.a.b. de c.v.", "s.a. de c.v.",
    "sa de cv", "s. de r.l. de c.v.", "s.a.b.",
)  # fmt: skip
_PREFIX_FORMS = ("주식회사", "(주)", "㈜", "유한회사", "บริษัท", "株式会社", "有限会社")
_SUFFIX_FORMS_NATIVE = ("주식회사", "(주)", "㈜", "จำกัด (มหาชน)", "จำกัด", "株式会社", "有限会社")


@cache
def _suffix_pattern() -> re.Pattern[str]:
    forms = sorted(set(_LEGAL_FORMS), key=len, reverse=True)
    alternatives = "|".join(re.escape(f).replace(r"\ ", r"\s*") for f in forms)
    # A legal form is a whole word at the end, after a space or a comma.
    return re.compile(rf"(?:^|[\s,]+)({alternatives})\s*$", re.IGNORECASE)


# Same-length stand-ins so Turkish capitals match case-insensitively ("ŞTİ." as "şti.").
_MATCHABLE = str.maketrans({"İ": "I", "ı": "i"})


@lru_cache(maxsize=16384)
def split_legal_form(name: str) -> tuple[str, str]:
    """(name without its legal form, the legal form as written); ("", "") for empty input."""
    text = clean(name)
    legal: list[str] = []
    prefixes: list[str] = []
    for form in _PREFIX_FORMS:
        if text.startswith(form):
            prefixes.append(form)
            text = text[len(form) :].strip()
    for form in _SUFFIX_FORMS_NATIVE:
        if text.endswith(form) and len(text) > len(form):
            legal.insert(0, form)
            text = text[: -len(form)].strip()
    # Strip repeatedly: "Acme Holdings Co., Ltd." has two forms in a row.
    for _ in range(3):
        found = _suffix_pattern().search(text.translate(_MATCHABLE))
        if found is None or found.start() == 0:
            break
        legal.insert(0, text[found.start(1) :])
        text = text[: found.start()].rstrip(" ,")
    return text, " ".join(prefixes + legal)


@lru_cache(maxsize=16384)
def company_name_key(name: str) -> str:
    """The key two spellings of one company share: folded, legal form stripped, punctuation
    removed ("ACME, Inc." and "Acme Incorporated" both give "acme")."""
    core, _ = split_legal_form(name)
    folded = fold(core or name).replace("&", " and ")
    folded = folded.replace("'", "").replace("’", "")
    words = "".join(
        ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " " for ch in folded
    )
    # A mark cut off from its letter by removed punctuation is noise.
    kept = [_without_leading_marks(w) for w in words.split()]
    return " ".join(w for w in kept if w)[:255].strip()


def _without_leading_marks(word: str) -> str:
    start = 0
    while start < len(word) and unicodedata.category(word[start]).startswith("M"):
        start += 1
    return word[start:]


_HOST = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


@cache
def _psl() -> object:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # the list bundled with the package; no network


@lru_cache(maxsize=16384)
def registrable_domain(host: str) -> str:
    """The domain an organisation registered: "shop.acme.co.uk" -> "acme.co.uk"; "" if none."""
    host = clean(host).lower().strip(".").removeprefix("www.")
    if not host or " " in host or "." not in host or len(host) > 253:
        return ""
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    if not _HOST.match(host):
        return ""
    found = _psl().privatesuffix(host)  # type: ignore[attr-defined]
    return found or ""


def domain_from_website(url: str) -> str:
    text = clean(url).lower()
    if "//" not in text:
        text = "//" + text
    host = text.split("//", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    return registrable_domain(host)


def domain_from_email(address: str) -> str:
    """The company domain of a work address; "" for free-mail providers."""
    _, at, domain = clean(address).rpartition("@")
    if not at:
        return ""
    found = registrable_domain(domain)
    if not found or is_free_mail_domain(found) or is_free_mail_domain(domain):
        return ""
    return found
