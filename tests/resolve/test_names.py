"""Author names in parts: every form the corpora use, shown in normal case."""

from __future__ import annotations

import pytest

from kg.resolve.names import parse


@pytest.mark.parametrize(
    ("written", "display", "surname"),
    [
        ("Brendel, Wieland", "Wieland Brendel", "Brendel"),
        ("Lillicrap, Timothy P.", "Timothy P. Lillicrap", "Lillicrap"),
        ("Dhillon, Jr., Inderjit S.", "Inderjit S. Dhillon Jr.", "Dhillon"),
        ("Laurens van der Maaten", "Laurens van der Maaten", "van der Maaten"),
        ("van der maaten, laurens", "Laurens van der Maaten", "van der Maaten"),
        ("de Freitas, Nando", "Nando de Freitas", "de Freitas"),
        ("Rafael dos Santos", "Rafael dos Santos", "dos Santos"),
        ("Guillaume Le Roux", "Guillaume Le Roux", "Le Roux"),
        ("Le Song", "Le Song", "Song"),  # a particle word as the given name stays a given name
        ("Quoc V. Le", "Quoc V. Le", "Le"),
        ("Hugo Van hamme", "Hugo Van hamme", "Van hamme"),
        ("Alán Aspuru-Guzik", "Alán Aspuru-Guzik", "Aspuru-Guzik"),
        ("Zeyuan Allen-Zhu", "Zeyuan Allen-Zhu", "Allen-Zhu"),
        ("SHUAI Zhang", "Shuai Zhang", "Zhang"),
        ("Shujie LIU", "Shujie Liu", "Liu"),
        ("qiang liu", "Qiang Liu", "Liu"),
        ("MARIO KRENN", "Mario Krenn", "Krenn"),
        ("david mcallester", "David McAllester", "McAllester"),
        ("Yann LeCun", "Yann LeCun", "LeCun"),
        ("James J. DiCarlo", "James J. DiCarlo", "DiCarlo"),
        ("YiDing Jiang", "YiDing Jiang", "Jiang"),
        ("J.R.R. Tolkien", "J. R. R. Tolkien", "Tolkien"),
        ("JJ Abrams", "JJ Abrams", "Abrams"),
        ("Hal Daumé III", "Hal Daumé III", "Daumé"),
        ("Ruslan Salakhutdinov, PhD", "Ruslan Salakhutdinov", "Salakhutdinov"),
        ("Mr. Jay Hoon Jung", "Jay Hoon Jung", "Jung"),
        ("Yanwen Fan(*)", "Yanwen Fan", "Fan"),
        ("Krishnamurthy (Dj) Dvijotham*", "Krishnamurthy Dvijotham", "Dvijotham"),
        ("Mahdi S. Hosseini", "Mahdi S. Hosseini", "Hosseini"),  # not a title, whatever nameparser says
        ("Gen Li", "Gen Li", "Li"),
        ("Shumin MA", "Shumin Ma", "Ma"),  # not a degree
    ],
)
def test_parse_and_display(written: str, display: str, surname: str) -> None:
    name = parse(written)
    assert (name.display, name.surname) == (display, surname)


def test_nicknames_in_quotes_or_parentheses_are_kept_apart() -> None:
    assert parse('Chiyu "Max" Jiang').nickname == "Max"
    assert parse("Apostol (Paul) Natsev").display == "Apostol Natsev"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Brendel, Wieland", "Wieland Brendel"),
        ("Emmanuel Müller", "Emmanuel Muller"),
        ("MARIO KRENN", "Mario Krenn"),
        ("Jack W Rae", "Jack W. Rae"),
        ("C.-J. Hsieh", "C. J. Hsieh"),
        ("Laurens van der Maaten", "Laurens Van Der Maaten"),
    ],
)
def test_spellings_of_one_name_share_a_key(a: str, b: str) -> None:
    assert parse(a).key == parse(b).key


def test_initials_and_hyphenated_given_names() -> None:
    (cho_jui,) = parse("Cho-Jui Hsieh").given_parts
    (c_j,) = parse("C.-J. Hsieh").given_parts
    assert (cho_jui.full, cho_jui.initials) == ("chojui", "cj")
    assert (c_j.full, c_j.initials) == (None, "cj")
    assert parse("Cho-Jui Hsieh").block == parse("Cheng-Yu Hsieh").block == "hsieh|c"
