import pytest

from library.names import (
    PersonName,
    fuller_given,
    initials_of,
    match_key,
    parse_author_cell,
    parse_author_line,
)

# Every author line of the Lithuania page, with the persons and corporate author it names.
PAGE_LINES = [
    (
        "Together Against Sexual Exploitation of Children",
        [],
        "Together Against Sexual Exploitation of Children",
    ),
    (
        "Livingstone, Sonia, Mascheroni, Giovanna, Dreier, Michael, Chaudron, Stephane, "
        "Lagae, Kaat",
        [
            ("Livingstone", "Sonia"),
            ("Mascheroni", "Giovanna"),
            ("Dreier", "Michael"),
            ("Chaudron", "Stephane"),
            ("Lagae", "Kaat"),
        ],
        "",
    ),
    (
        "Melissa Stroebe, Stacy Jeleniewski, PhD",
        [("Stroebe", "Melissa"), ("Jeleniewski", "Stacy")],
        "",
    ),
    ("Petra Jeney", [("Jeney", "Petra")], ""),
    ("Rosella Sala", [("Sala", "Rosella")], ""),
    (
        "K. Ólafsson, S. Livingstone, L. Haddon",
        [("Ólafsson", "K."), ("Livingstone", "S."), ("Haddon", "L.")],
        "",
    ),
    ("European Commission", [], "European Commission"),
    ("B. O'Neill", [("O'Neill", "B.")], ""),
    ("O’Neill, B., Staksrud, E", [("O'Neill", "B."), ("Staksrud", "E.")], ""),
    (
        "Helsper, E.J., Kalmus, V., Hasebrink, U., Sagvari, B., and de Haan, J.",
        [
            ("Helsper", "E. J."),
            ("Kalmus", "V."),
            ("Hasebrink", "U."),
            ("Sagvari", "B."),
            ("de Haan", "J."),
        ],
        "",
    ),
    (
        "Livingstone S., Kirwil, L., Ponte C. and Staksrud E., with the EU Kids Online network",
        [("Livingstone", "S."), ("Kirwil", "L."), ("Ponte", "C."), ("Staksrud", "E.")],
        "EU Kids Online network",
    ),
    (
        "Holloway, D., Green, L., and Livingstone, S. with members of the EU Kids Online network,",
        [("Holloway", "D."), ("Green", "L."), ("Livingstone", "S.")],
        "EU Kids Online network",
    ),
    (
        "Barbosa, A., O’Neill, B., Ponte, C., Simões, J.A., Jereissati, T.,",
        [
            ("Barbosa", "A."),
            ("O'Neill", "B."),
            ("Ponte", "C."),
            ("Simões", "J. A."),
            ("Jereissati", "T."),
        ],
        "",
    ),
    (
        "Helsper, E. J., Kalmus, V., Hasebrink, U., Sagvari, B. and De Haan, J. with members of "
        "the EU Kids Online network",
        [
            ("Helsper", "E. J."),
            ("Kalmus", "V."),
            ("Hasebrink", "U."),
            ("Sagvari", "B."),
            ("De Haan", "J."),
        ],
        "EU Kids Online network",
    ),
    (
        "D. Smahel, E. Helsper, L. Green, V. Kalmus, L. Blinka, K. Ólafsson",
        [
            ("Smahel", "D."),
            ("Helsper", "E."),
            ("Green", "L."),
            ("Kalmus", "V."),
            ("Blinka", "L."),
            ("Ólafsson", "K."),
        ],
        "",
    ),
    (
        "Smahel, D, Helsper, E, Green, L, Kalmus, V, Blinka, L, Ólafsson, K,",
        [
            ("Smahel", "D."),
            ("Helsper", "E."),
            ("Green", "L."),
            ("Kalmus", "V."),
            ("Blinka", "L."),
            ("Ólafsson", "K."),
        ],
        "",
    ),
    (
        "Haddon, L., Livingstone, S., EU Kids Online Network",
        [("Haddon", "L."), ("Livingstone", "S.")],
        "EU Kids Online network",
    ),
    (
        "J. Menasce Horowitz, K. Simmons, J. Poushter, C. Barker",
        [("Menasce Horowitz", "J."), ("Simmons", "K."), ("Poushter", "J."), ("Barker", "C.")],
        "",
    ),
    (
        "Leslie Haddon, Sonia Livingstone and the EU Kids Online network",
        [("Haddon", "Leslie"), ("Livingstone", "Sonia")],
        "EU Kids Online network",
    ),
    (
        "Livingstone, S., Haddon, L., Görzig, A., Ólafsson, K",
        [("Livingstone", "S."), ("Haddon", "L."), ("Görzig", "A."), ("Ólafsson", "K.")],
        "",
    ),
    ("Pilar Pacheco, Kristine Paberza", [("Pacheco", "Pilar"), ("Paberza", "Kristine")], ""),
]


@pytest.mark.parametrize(("line", "people", "corporate"), PAGE_LINES)
def test_every_author_line_of_the_page_parses(line, people, corporate):
    parsed, parsed_corporate = parse_author_line(line)
    assert [(p.family, p.given) for p in parsed] == people
    assert parsed_corporate == corporate


def test_the_page_lines_cover_the_page(seed_author_lines):
    assert sorted(line for line, _, _ in PAGE_LINES) == sorted(set(seed_author_lines))


@pytest.mark.parametrize(
    "spellings",
    [
        ["Livingstone, Sonia", "Livingstone S.", "S. Livingstone", "Livingstone, S."],
        ["Helsper, E.J.", "Helsper, E. J.", "E. Helsper", "Helsper, E"],
        ["O'Neill, B.", "O’Neill, B.", "B. O'Neill"],
        ["de Haan, J.", "De Haan, J."],
        ["Ólafsson, K", "K. Ólafsson", "Olafsson, K."],
        ["Smahel, D", "D. Smahel"],
    ],
)
def test_spellings_of_one_person_share_a_matching_key(spellings):
    keys = {parse_author_line(s)[0][0].match_key for s in spellings}
    assert len(keys) == 1


def test_different_people_have_different_keys():
    assert match_key("Livingstone", "Sonia") != match_key("Haddon", "Leslie")
    assert match_key("Kalmus", "V.") != match_key("Kalmus", "A.")


def test_initials_and_fuller_given_names():
    assert initials_of("Sonia") == "S."
    assert initials_of("E.J.") == "E. J."
    assert initials_of("Jean-Paul") == "J.-P."
    assert fuller_given("S.", "Sonia") == "Sonia"
    assert fuller_given("Sonia", "S.") == "Sonia"
    assert fuller_given("E.", "E. J.") == "E. J."
    assert fuller_given("E. J.", "E.") == "E. J."


def test_author_cell_is_family_given_separated_by_semicolons():
    assert parse_author_cell("Livingstone, Sonia; Haddon, L.; ; Leslie Haddon") == [
        PersonName("Livingstone", "Sonia"),
        PersonName("Haddon", "L."),
        PersonName("Haddon", "Leslie"),
    ]
