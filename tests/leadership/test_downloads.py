"""Downloaded files are named from what things are called now, safely."""

from leadership.downloads import download_filename, download_stem


def test_names_become_one_ascii_slug_whatever_their_accents_and_punctuation():
    assert download_stem("Ngā Kaiārahi — Cohort 3", "people") == "nga-kaiarahi-cohort-3-people"
    assert download_filename("Cohort 3", "2026-12-02", ext="csv") == "cohort-3-2026-12-02.csv"


def test_nothing_typed_can_leave_the_quoted_header_or_name_a_path():
    name = download_filename('../../etc/passwd"; x=', "\r\nSet-Cookie: a=b", ext="pdf")
    assert name == "etcpasswd-x-set-cookie-ab.pdf"
    assert download_filename("", "   ", ext="xlsx") == "download.xlsx"
