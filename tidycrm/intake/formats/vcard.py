"""vCard: write 4.0 (RFC 6350), read 2.1, 3.0 and 4.0 into rows with the standard column names.

Writing escapes text values (backslash, comma, semicolon, newline) and folds lines at 75 octets
without splitting a UTF-8 character. Reading unfolds, unescapes, decodes quoted-printable and
8-bit values in their CHARSET (vCard 2.1), and streams: one card is in memory at a time.
"""

from __future__ import annotations

import codecs
import contextlib
import quopri
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from tidycrm.intake.formats.rows import DEFAULT_LABEL, numbered

LINE_OCTETS = 75
MAX_LINE = 1_000_000
MAX_PROPERTIES = 2_000
UID_PREFIX = "urn:tidycrm:contact:"

# Our labels -> vCard TYPE values, and back. Labels without a vCard type use x-<label>.
EMAIL_TYPES = {"work": "work", "home": "home"}
TEL_TYPES = {"work": "work,voice", "home": "home,voice", "mobile": "cell", "fax": "fax"}
ADR_TYPES = {"work": "work", "home": "home"}
TYPE_LABELS = {"work": "work", "home": "home", "cell": "mobile", "fax": "fax", "pref": ""}


class VCardError(ValueError):
    """A file that is not vCard; the message names the line."""


@dataclass
class VCardPerson:
    """What a vCard says about a person, in the store's terms."""

    uid: str
    display_name: str
    given_name: str = ""
    family_name: str = ""
    middle_name: str = ""
    honorific: str = ""
    suffix: str = ""
    emails: list[tuple[str, str]] = field(default_factory=list)  # (address, label)
    phones: list[tuple[str, str, str]] = field(default_factory=list)  # (e164, extension, label)
    addresses: list[dict[str, str]] = field(default_factory=list)
    company: str = ""
    department: str = ""
    job_title: str = ""
    birthday: date | None = None
    notes: str = ""
    tags: Sequence[str] = ()
    urls: Sequence[str] = ()
    external_id: str = ""
    revised: datetime | None = None


# -- writing ---------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into CRLF-separated lines of at most 75 octets (RFC 6350 3.2)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= LINE_OCTETS:
        return line + "\r\n"
    parts: list[str] = []
    limit = LINE_OCTETS
    current = b""
    for char in line:
        octets = char.encode("utf-8")
        if len(current) + len(octets) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = LINE_OCTETS - 1  # continuation lines start with one space
        current += octets
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts) + "\r\n"


def _type(label: str, known: dict[str, str]) -> str:
    kind = known.get(label) or f"x-{re.sub(r'[^a-z0-9-]', '', label.lower()) or 'other'}"
    return f";TYPE={kind}" if "," not in kind else f';TYPE="{kind}"'


def write_vcard(person: VCardPerson) -> str:
    """One vCard 4.0 as text with CRLF line ends."""
    n = ";".join(
        escape_text(v)
        for v in (
            person.family_name,
            person.given_name,
            person.middle_name,
            person.honorific,
            person.suffix,
        )
    )
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"UID:{escape_text(person.uid)}"]
    lines.append(f"FN:{escape_text(person.display_name or 'Unnamed')}")
    lines.append(f"N:{n}")
    for i, (address, label) in enumerate(person.emails):
        pref = ";PREF=1" if i == 0 else ""
        lines.append(f"EMAIL{_type(label, EMAIL_TYPES)}{pref}:{escape_text(address)}")
    for i, (number, extension, label) in enumerate(person.phones):
        pref = ";PREF=1" if i == 0 else ""
        if number.startswith("+"):
            uri = "tel:" + number + (f";ext={extension}" if extension else "")
            lines.append(f"TEL;VALUE=uri{_type(label, TEL_TYPES)}{pref}:{uri}")
        else:  # a number the door could not standardise is kept as typed
            text = number + (f" ext. {extension}" if extension else "")
            lines.append(f"TEL;VALUE=text{_type(label, TEL_TYPES)}{pref}:{escape_text(text)}")
    for i, adr in enumerate(person.addresses):
        pref = ";PREF=1" if i == 0 else ""
        street = ",".join(escape_text(s) for s in (adr["street"], adr["street2"]) if s)
        parts = [
            "",
            "",
            street,
            escape_text(adr["city"]),
            escape_text(adr["region"]),
            escape_text(adr["postal_code"]),
            escape_text(adr["country"]),
        ]
        lines.append(f"ADR{_type(adr['label'], ADR_TYPES)}{pref}:{';'.join(parts)}")
    if person.company or person.department:
        org = escape_text(person.company)
        lines.append(
            f"ORG:{org};{escape_text(person.department)}" if person.department else f"ORG:{org}"
        )
    if person.job_title:
        lines.append(f"TITLE:{escape_text(person.job_title)}")
    if person.birthday:
        lines.append(f"BDAY:{person.birthday:%Y%m%d}")
    if person.notes:
        lines.append(f"NOTE:{escape_text(person.notes)}")
    if person.tags:
        lines.append("CATEGORIES:" + ",".join(escape_text(t) for t in person.tags))
    for url in person.urls:
        lines.append(f"URL:{url}")
    if person.external_id:
        lines.append(f"X-TIDYCRM-EXTERNAL-ID:{escape_text(person.external_id)}")
    if person.revised:
        lines.append(f"REV:{person.revised.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


# -- reading ---------------------------------------------------------------------------------


@dataclass
class Property:
    name: str
    params: dict[str, list[str]]
    value: str


def _decode_lines(stream: Iterable[bytes | str]) -> Iterator[str]:
    """Text lines of a byte or text stream: UTF-8 (BOM tolerated), else Windows-1252."""
    decoder: Any = None
    pending = ""
    first = True
    for chunk in stream:
        if isinstance(chunk, bytes):
            if first and b"\x00" in chunk[:4096]:
                raise VCardError("line 1: this is a binary file, not a vCard.")
            if decoder is None:
                decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                decoder = _Cp1252()
                text = decoder.decode(chunk)
        else:
            text = chunk
        first = False
        pending += text
        *lines, pending = re.split(r"\r\n|\r|\n", pending)
        if len(pending) > MAX_LINE:
            raise VCardError("a line is longer than 1,000,000 characters.")
        yield from lines
    if pending:
        yield pending


class _Cp1252:
    def decode(self, chunk: bytes) -> str:
        return chunk.decode("cp1252", errors="replace")


def _unfolded(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Logical lines (folded continuations joined; quoted-printable soft breaks joined)."""
    current: str | None = None
    start = 0
    for number, line in enumerate(lines, start=1):
        if line[:1] in (" ", "\t") and current is not None:
            current += line[1:]
            continue
        if (
            current is not None
            and current.endswith("=")
            and "QUOTED-PRINTABLE" in current.upper().split(":", 1)[0]
        ):
            current = current[:-1] + line
            continue
        if current is not None:
            yield start, current
        current, start = line, number
        if len(current) > MAX_LINE:
            raise VCardError(f"line {number}: longer than 1,000,000 characters.")
    if current is not None:
        yield start, current


def _quoted_printable(line: str) -> bool:
    return "QUOTED-PRINTABLE" in line.split(":", 1)[0].upper()


def _split_unquoted(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def parse_property(line: str) -> Property | None:
    head, sep, value = line.partition(":")
    # A colon inside a quoted parameter value: find the first colon outside quotes.
    if head.count('"') % 2:
        quoted = False
        for i, char in enumerate(line):
            if char == '"':
                quoted = not quoted
            elif char == ":" and not quoted:
                head, sep, value = line[:i], ":", line[i + 1 :]
                break
    if not sep:
        return None
    pieces = _split_unquoted(head, ";")
    name = pieces[0].rsplit(".", 1)[-1].strip().upper()  # drop a group prefix "item1."
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        key, has_value, raw = piece.partition("=")
        if not has_value:  # vCard 2.1 bare type: "TEL;WORK;VOICE:..."
            key, raw = "TYPE", key
        values = [v.strip('"').strip() for v in _split_unquoted(raw, ",")]
        params.setdefault(key.strip().upper(), []).extend(v for v in values if v)
    encoding = [e.upper() for e in params.get("ENCODING", [])]
    if "QUOTED-PRINTABLE" in encoding:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        data = quopri.decodestring(value.encode("latin-1", errors="replace"))
        try:
            value = data.decode(charset, errors="replace")
        except LookupError:
            value = data.decode("utf-8", errors="replace")
    elif params.get("CHARSET") and value.isascii() is False:
        charset = params["CHARSET"][0]
        # An 8-bit value in a declared charset that was read as Windows-1252.
        with contextlib.suppress(LookupError, UnicodeError):
            value = value.encode("cp1252").decode(charset)
    return Property(name=name, params=params, value=value)


def unescape_text(value: str) -> str:
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append("\n" if following in ("n", "N") else following)
        else:
            out.append(char)
    return "".join(out)


def split_raw(value: str, sep: str) -> list[str]:
    """Split on separators that are not escaped; the parts keep their escapes."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def split_escaped(value: str, sep: str) -> list[str]:
    """Split on separators that are not escaped, then unescape each part."""
    return [unescape_text(part) for part in split_raw(value, sep)]


def _label(params: dict[str, list[str]]) -> str:
    for kind in (t.lower() for t in params.get("TYPE", [])):
        if kind in ("cell", "fax"):
            return TYPE_LABELS[kind]
    for kind in (t.lower() for t in params.get("TYPE", [])):
        if TYPE_LABELS.get(kind):
            return TYPE_LABELS[kind]
        if kind.startswith("x-") and kind[2:]:
            return kind[2:]
        if kind in ("main", "other", "billing", "shipping"):
            return kind
    return DEFAULT_LABEL


def _pref(prop: Property) -> int:
    values = [v.lower() for v in prop.params.get("TYPE", [])]
    if "pref" in values:
        return 0
    try:
        return int((prop.params.get("PREF") or ["100"])[0])
    except ValueError:
        return 100


def _phone(prop: Property) -> str:
    value = prop.value.strip()
    if value.lower().startswith("tel:"):
        number, _, rest = value[4:].partition(";")
        params = dict(p.partition("=")[::2] for p in rest.split(";") if p)
        ext = params.get("ext", "")
        return f"{number} ext. {ext}" if ext else number
    return unescape_text(value)


def _birthday(value: str) -> str:
    text = value.strip()
    for pattern in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return (
                datetime.strptime(text[:10] if "-" in text else text[:8], pattern)
                .date()
                .isoformat()
            )
        except ValueError:
            continue
    return ""  # "--0412" (no year) and free text have no place in a date field


def card_row(properties: list[Property]) -> dict[str, str]:
    """One card's properties -> a row with the standard column names."""
    row: dict[str, str] = {}
    by_name: dict[str, list[Property]] = {}
    for prop in properties:
        by_name.setdefault(prop.name, []).append(prop)
    first = {name: props[0] for name, props in by_name.items()}
    if "N" in first:
        parts = split_escaped(first["N"].value, ";") + [""] * 5
        row.update(
            last_name=parts[0].replace(",", " ").strip(),
            first_name=parts[1].replace(",", " ").strip(),
            middle_name=parts[2].replace(",", " ").strip(),
            honorific=parts[3].replace(",", " ").strip(),
            suffix=parts[4].replace(",", " ").strip(),
        )
    full_name = unescape_text(first["FN"].value).strip() if "FN" in first else ""
    emails = {unescape_text(p.value).strip().casefold() for p in by_name.get("EMAIL", [])}
    # FN stands in for an empty N, unless it is only the e-mail address (as we write it for a
    # contact known by its address alone).
    if not any(row.values()) and full_name and full_name.casefold() not in emails:
        row = {"name": full_name}
    uid = unescape_text(first["UID"].value).strip() if "UID" in first else ""
    if uid.startswith(UID_PREFIX) and uid[len(UID_PREFIX) :].isdigit():
        row["id"] = uid[len(UID_PREFIX) :]
    if "X-TIDYCRM-EXTERNAL-ID" in first:
        row["external_id"] = unescape_text(first["X-TIDYCRM-EXTERNAL-ID"].value).strip()
    for n, prop in enumerate(sorted(by_name.get("EMAIL", []), key=_pref), start=1):
        row[numbered("email", n)] = unescape_text(prop.value).strip()
        row[numbered("email", n) + "_label"] = _label(prop.params)
    for n, prop in enumerate(sorted(by_name.get("TEL", []), key=_pref), start=1):
        row[numbered("phone", n)] = _phone(prop)
        row[numbered("phone", n) + "_label"] = _label(prop.params)
    for n, prop in enumerate(sorted(by_name.get("ADR", []), key=_pref), start=1):
        raw_parts = split_raw(prop.value, ";") + [""] * 7
        parts = [unescape_text(part) for part in raw_parts]
        streets = [unescape_text(s).strip() for s in split_raw(raw_parts[2], ",") if s.strip()]
        extended = parts[1].strip()
        prefix = "" if n == 1 else f"address_{n}_"
        row[prefix + "street"] = streets[0] if streets else ""
        row[prefix + "street2"] = ", ".join([*streets[1:], *([extended] if extended else [])])
        row[prefix + "address_city"] = parts[3].strip()
        row[prefix + "address_region"] = parts[4].strip()
        row[prefix + "postal_code"] = parts[5].strip()
        row[prefix + "address_country"] = parts[6].strip()
        row[prefix + "address_label"] = _label(prop.params)
    if "ORG" in first:
        org = split_escaped(first["ORG"].value, ";")
        row["company"] = org[0].strip()
        if len(org) > 1:
            row["department"] = org[1].strip()
    if "TITLE" in first:
        row["job_title"] = unescape_text(first["TITLE"].value).strip()
    if "BDAY" in first:
        row["birthday"] = _birthday(first["BDAY"].value)
    if "NOTE" in first:
        row["notes"] = "\n".join(unescape_text(p.value) for p in by_name["NOTE"]).strip()
    tags = [t.strip() for p in by_name.get("CATEGORIES", []) for t in split_escaped(p.value, ",")]
    if tags:
        row["tags"] = ", ".join(t for t in tags if t)
    urls = [unescape_text(p.value).strip() for p in by_name.get("URL", [])]
    if urls:
        row["social_profiles"] = " ".join(u for u in urls if u)
    return row


def parse_vcards(stream: Iterable[bytes | str]) -> Iterator[dict[str, str]]:
    """Rows (standard column names) of every card in a byte or text stream, one at a time.

    Raises VCardError naming the line when the file is not vCard at all.
    """
    properties: list[Property] | None = None
    seen_card = False
    for number, line in _unfolded(_decode_lines(stream)):
        if not line.strip():
            continue
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            properties, seen_card = [], True
            continue
        if upper == "END:VCARD":
            if properties is not None:
                yield card_row(properties)
            properties = None
            continue
        if properties is None:
            if not seen_card:
                raise VCardError(f"line {number}: expected BEGIN:VCARD; this is not a vCard file.")
            continue
        prop = parse_property(line)
        if prop is not None and len(properties) < MAX_PROPERTIES:
            properties.append(prop)
    if properties is not None:
        raise VCardError("the last card has no END:VCARD; the file is cut short.")
    if not seen_card:
        raise VCardError("line 1: no BEGIN:VCARD found; this is not a vCard file.")
