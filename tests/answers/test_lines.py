"""A source's lines as answers: a record's field is read by its label and by its value's shape."""

from cigale.answers.lexicon import Focus
from cigale.answers.lines import focus_match, label_match


def test_a_phone_line_answers_a_phone_question_and_no_other_field_does():
    assert focus_match("Téléphone : 04 42 37 55 00", Focus.PHONE) == 1.0
    assert focus_match("Phone: 04 42 37 55 00 (+33 4 42 37 55 00 from abroad)", Focus.PHONE) == 1.0
    assert focus_match("Horaires d'ouverture : le lundi 8 h – 12 h", Focus.PHONE) == 0.0
    assert focus_match("Appelez le +33 (0)4 91 14 59 50.", Focus.PHONE) == 0.4  # prose: its shape only


def test_an_e_mail_is_no_web_address():
    assert focus_match("Courriel : accueil@trets.fr", Focus.EMAIL) == 1.0
    assert focus_match("Courriel : accueil@trets.fr", Focus.WEBSITE) == 0.0
    assert focus_match("Site internet : https://www.trets.fr", Focus.WEBSITE) == 1.0


def test_a_label_names_the_mayor_as_who_runs_the_commune():
    assert label_match("Maire", Focus.WHO) == 1.0 and label_match("Mayor", Focus.WHO) == 1.0
    assert label_match("Conseil municipal", Focus.WHO) == 0.0
