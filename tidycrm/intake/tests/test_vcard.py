"""vCard 4.0 written to the RFC (checked by an independent parser) and vCards of every version
read back into rows with the standard column names."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import vobject
from hypothesis import given
from hypothesis import strategies as st

from tidycrm.intake.formats.vcard import (
    VCardError,
    VCardPerson,
    escape_text,
    fold,
    parse_vcards,
    split_escaped,
    write_vcard,
)


def person(**extra: object) -> VCardPerson:
    base: dict[str, object] = {
        "uid": "urn:tidycrm:contact:42",
        "display_name": "Dr. Şükrü Öztürk-Yılmaz, Jr.",
        "given_name": "Şükrü",
        "family_name": "Öztürk-Yılmaz",
        "honorific": "Dr.",
        "suffix": "Jr.",
        "emails": [("sukru@example.com", "work"), ("s@home.example", "home")],
        "phones": [("+4930123456", "12", "mobile"), ("+902121234567", "", "main")],
        "addresses": [
            {
                "street": "Hauptstraße 1; Hinterhof",
                "street2": "3. OG, links",
                "city": "Berlin",
                "region": "",
                "postal_code": "10115",
                "country": "DE",
                "label": "home",
            }
        ],
        "company": "ACME, Inc.",
        "department": "R&D",
        "job_title": "CTO",
        "birthday": date(1980, 2, 3),
        "notes": "Line one\nline two; with \\ backslash, and comma " + "長い" * 60,
        "tags": ["vip", "newsletter"],
        "urls": ["https://www.linkedin.com/in/sukru"],
        "external_id": "CRM-7",
        "revised": datetime(2026, 11, 22, 15, 0, tzinfo=UTC),
    }
    base.update(extra)
    return VCardPerson(**base)  # type: ignore[arg-type]


def test_lines_are_folded_at_75_octets_without_splitting_characters() -> None:
    text = write_vcard(person())
    assert text.endswith("END:VCARD\r\n")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    folded = fold("NOTE:" + "é" * 100)
    assert folded.replace("\r\n ", "").rstrip("\r\n") == "NOTE:" + "é" * 100


def test_independent_parser_reads_what_we_wrote() -> None:
    card = vobject.readOne(write_vcard(person()))
    assert card.version.value == "4.0"
    assert card.fn.value == "Dr. Şükrü Öztürk-Yılmaz, Jr."
    assert card.n.value.family == "Öztürk-Yılmaz"
    assert card.n.value.given == "Şükrü"
    assert card.n.value.prefix == "Dr."
    assert [e.value for e in card.email_list] == ["sukru@example.com", "s@home.example"]
    assert card.email_list[1].params["TYPE"] == ["home"]
    assert card.tel.value == "tel:+4930123456;ext=12"
    assert card.tel.params["VALUE"] == ["uri"]
    assert card.adr.value.street == ["Hauptstraße 1; Hinterhof", "3. OG, links"]
    assert card.adr.value.city == "Berlin"
    assert card.adr.value.code == "10115"
    assert card.org.value == ["ACME, Inc.", "R&D"]
    assert card.note.value == person().notes
    assert card.categories.value == ["vip", "newsletter"]
    assert card.uid.value == "urn:tidycrm:contact:42"
    assert card.bday.value == "19800203"


def test_round_trip_through_our_reader() -> None:
    [row] = list(parse_vcards([write_vcard(person()).encode()]))
    assert row["id"] == "42"
    assert row["external_id"] == "CRM-7"
    assert (row["first_name"], row["last_name"], row["honorific"], row["suffix"]) == (
        "Şükrü",
        "Öztürk-Yılmaz",
        "Dr.",
        "Jr.",
    )
    assert (row["email"], row["email_label"]) == ("sukru@example.com", "work")
    assert (row["email_2"], row["email_2_label"]) == ("s@home.example", "home")
    assert (row["phone"], row["phone_label"]) == ("+4930123456 ext. 12", "mobile")
    assert (row["phone_2"], row["phone_2_label"]) == ("+902121234567", "main")
    assert row["street"] == "Hauptstraße 1; Hinterhof"
    assert row["street2"] == "3. OG, links"
    assert (row["address_city"], row["postal_code"], row["address_country"]) == (
        "Berlin",
        "10115",
        "DE",
    )
    assert row["address_label"] == "home"
    assert (row["company"], row["department"], row["job_title"]) == ("ACME, Inc.", "R&D", "CTO")
    assert row["birthday"] == "1980-02-03"
    assert row["notes"] == person().notes
    assert row["tags"] == "vip, newsletter"
    assert row["social_profiles"] == "https://www.linkedin.com/in/sukru"


@given(st.text(max_size=200))
def test_text_escaping_round_trips(value: str) -> None:
    normalised = value.replace("\r\n", "\n").replace("\r", "\n")
    assert split_escaped(escape_text(value), ";") == [normalised]
    assert split_escaped(escape_text(value), ",") == [normalised]


def test_reads_vcard_30_from_a_phone_export() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\n"
        "item1.EMAIL;type=INTERNET;type=pref:ada@example.com\r\n"
        "item2.EMAIL;TYPE=INTERNET,HOME:ada@home.example\r\n"
        "TEL;TYPE=CELL:+44 20 7946 0958\r\nTEL;TYPE=WORK,VOICE:020 7946 0000\r\n"
        "ADR;TYPE=WORK:;;12 Baker St;London;;NW1 6XE;United Kingdom\r\n"
        "ORG:Analytical Engines Ltd\r\nNOTE:first line\\nsecond line that is folded ov\r\n"
        " er two lines\r\nBDAY:1815-12-10\r\nCATEGORIES:math,history\r\nEND:VCARD\r\n"
    )
    [row] = list(parse_vcards([text.encode()]))
    assert (row["first_name"], row["last_name"]) == ("Ada", "Lovelace")
    assert row["email"] == "ada@example.com"
    assert row["email_2_label"] == "home"
    assert (row["phone"], row["phone_label"]) == ("+44 20 7946 0958", "mobile")
    assert row["phone_2_label"] == "work"
    assert row["street"] == "12 Baker St" and row["address_country"] == "United Kingdom"
    assert row["notes"] == "first line\nsecond line that is folded over two lines"
    assert row["birthday"] == "1815-12-10"
    assert row["tags"] == "math, history"


def test_reads_vcard_21_quoted_printable_in_its_charset() -> None:
    text = (
        "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\n"
        "TEL;WORK;VOICE:+49 30 1234567\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Gr=C3=BC=C3=9Fe aus =\nK=C3=B6ln\n"
        "END:VCARD\n"
    )
    [row] = list(parse_vcards([text.encode("latin-1")]))
    assert (row["first_name"], row["last_name"]) == ("Jürgen", "Müller")
    assert (row["phone"], row["phone_label"]) == ("+49 30 1234567", "work")
    assert row["notes"] == "Grüße aus Köln"


def test_reads_windows_1252_files_and_several_cards_streamed() -> None:
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë {n}\r\nEND:VCARD\r\n" for n in range(3)
    ).encode("cp1252")
    chunks = [cards[i : i + 7] for i in range(0, len(cards), 7)]
    assert [r["name"] for r in parse_vcards(chunks)] == ["Zoë 0", "Zoë 1", "Zoë 2"]


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01PK binary", b"name,email\nAda,ada@example.com\n", b"BEGIN:VCARD\nFN:cut"],
)
def test_not_a_vcard_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(VCardError) as info:
        list(parse_vcards([data]))
    assert "vCard" in str(info.value) or "END:VCARD" in str(info.value)
