from tidycrm.matching.names import are_nicknames, name_key, nickname_roots, person_name_keys


def test_folding_makes_accents_and_umlaut_spellings_equal() -> None:
    assert name_key("Müller") == name_key("Mueller") == name_key("MULLER")
    assert name_key("Şahin") == name_key("Sahin")
    assert name_key("Strauß") == name_key("Strauss")
    assert name_key("Gül") == name_key("Guel") == name_key("gul")


def test_honorifics_are_ignored() -> None:
    assert person_name_keys("Dr. Jürgen", "Müller", "") == ("jurgen", "muller")
    assert person_name_keys("", "", "Herr Juergen Mueller") == ("jurgen", "muller")
    assert person_name_keys("", "", "Mrs Jane Doe") == person_name_keys("Jane", "Doe", "")


def test_hangul_spacing_does_not_matter() -> None:
    spaced = person_name_keys("", "", "김 민준")
    assert spaced == person_name_keys("", "", "김민준") == person_name_keys("민준", "김", "")
    assert spaced == ("민준", "김")


def test_nicknames() -> None:
    assert are_nicknames("bob", "robert")
    assert are_nicknames("robert", "bob")
    assert are_nicknames("bill", "william")
    assert are_nicknames("liz", "elizabeth")
    assert not are_nicknames("john", "mary")
    assert not are_nicknames("bob", "bob")  # equal names are "exact", not "nickname"
    assert "robert" in nickname_roots("bob")
