"""English through Django i18n: Chinese source strings, the en catalogue, and its completeness."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from bianmin.core.identifiers import (
    make_citizen_id,
    make_credit_code,
    parse_citizen_id,
    parse_credit_code,
)
from bianmin.registry.models.people import Relationship, Sex
from tests.apiclient import api_as
from tests.factories import PASSWORD

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "bianmin"
LOCALE = PACKAGE / "locale" / "en" / "LC_MESSAGES"
LOOKUP = "/api/v1/people/lookup/"
GOOD_ID = make_citizen_id("420102", dt.date(1958, 3, 9), 123)
# Same number with a different last character: everything valid except the check digit.
BAD_CHECK_ID = GOOD_ID[:17] + ("1" if GOOD_ID[17] != "1" else "2")
GOOD_CREDIT = make_credit_code("91", "420102", "MA4K12345")
BAD_CHECK_CREDIT = GOOD_CREDIT[:17] + ("1" if GOOD_CREDIT[17] != "1" else "2")
HOW_TO_FIX = (
    "Run `make messages` (makemessages + compilemessages), translate every empty or fuzzy "
    "msgstr in src/bianmin/locale/en/LC_MESSAGES/django.po, run `make messages` again to "
    "compile the .mo, and commit both files."
)


def error_of(parse, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(value)
    return caught.value


class TestServiceErrors:
    def test_id_check_digit_in_english(self):
        with translation.override("en"):
            e = error_of(parse_citizen_id, BAD_CHECK_ID)
            assert e.code == "id_number_check_digit"
            assert e.messages == ["The ID number's check digit is wrong; please check the number."]

    def test_id_check_digit_in_chinese_by_default(self):
        e = error_of(parse_citizen_id, BAD_CHECK_ID)
        assert e.messages == ["身份证号码校验位错误，请核对号码。"]

    def test_placeholder_is_filled_in_english(self):
        # 00 is no province: the parameter must survive translation.
        with translation.override("en"):
            e = error_of(parse_citizen_id, "00" + GOOD_ID[2:])
            assert e.messages == [
                "The first two digits of the ID number, “00”, are not a valid province code."
            ]

    def test_message_follows_the_language_active_when_read(self):
        # Messages are lazy: an error raised in Chinese context reads in English later on.
        e = error_of(parse_citizen_id, BAD_CHECK_ID)
        with translation.override("en"):
            assert "check digit" in e.messages[0]

    def test_credit_code_in_english_and_chinese(self):
        assert parse_credit_code(GOOD_CREDIT).code == GOOD_CREDIT
        e = error_of(parse_credit_code, BAD_CHECK_CREDIT)
        assert e.code == "credit_code_check_digit"
        assert e.messages == ["统一社会信用代码校验位错误，请核对代码。"]
        with translation.override("en"):
            assert e.messages == [
                "The unified social credit code's check character is wrong; please check the code."
            ]
            bad_format = error_of(parse_credit_code, "91420102MA4K1234O")
            assert bad_format.messages[0].startswith("A unified social credit code has 18")

    def test_same_chinese_word_two_meanings(self):
        # 女 is both a sex and a relationship; English needs two words.
        assert Sex.FEMALE.label == Relationship.DAUGHTER.label == "女"
        with translation.override("en"):
            assert str(Sex.FEMALE.label) == "Female"
            assert str(Relationship.DAUGHTER.label) == "Daughter"
            assert str(Relationship.SON.label) == "Son"


@pytest.mark.django_db
class TestHTTP:
    def test_api_lookup_error_follows_accept_language(self, baocheng_worker):
        client = api_as(baocheng_worker)
        en = client.post(
            LOOKUP, {"id_number": BAD_CHECK_ID}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert en.status_code == 400 and en.data["code"] == "id_number_check_digit"
        assert en.data["detail"] == "The ID number's check digit is wrong; please check the number."
        assert en["Content-Language"] == "en"
        zh = client.post(LOOKUP, {"id_number": BAD_CHECK_ID}, format="json")
        assert zh.status_code == 400 and zh.data["code"] == "id_number_check_digit"
        assert zh.data["detail"] == "身份证号码校验位错误，请核对号码。"
        # The number is personal data: it is never echoed back, in either language.
        assert BAD_CHECK_ID not in en.content.decode() + zh.content.decode()

    def test_api_not_found_in_english(self, baocheng_worker):
        r = api_as(baocheng_worker).post(
            LOOKUP, {"id_number": GOOD_ID}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert r.status_code == 404 and r.data["code"] == "not_found"
        assert (
            r.data["detail"] == "There is no record with this ID number in the population register."
        )

    def test_api_staff_only_message_in_english(self, django_user_model):
        resident = django_user_model.objects.create_user("resident", password=PASSWORD)
        r = api_as(resident).get("/api/v1/people/", HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 403 and r.data["detail"] == "A staff account is required."

    def test_login_page_in_english_and_chinese(self):
        en = Client(headers={"accept-language": "en"}).get("/accounts/login/")
        assert en.status_code == 200
        assert "Staff sign-in" in en.content.decode() and "工作人员登录" not in en.content.decode()
        zh = Client().get("/accounts/login/")
        assert "工作人员登录" in zh.content.decode()

    def test_language_switch_sticks(self, baocheng_worker):
        client = Client()
        client.force_login(baocheng_worker)
        r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert r.status_code == 302
        home = client.get("/")
        assert home.status_code == 200
        page = home.content.decode()
        assert "Population register" in page and "ID number look-up" in page
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
        assert "人口库" in client.get("/").content.decode()


# --- the catalogue itself --------------------------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts (msgctxt, msgid, msgid_plural, msgstr: list, flags).

    A small reader so the check needs no gettext tools or extra package."""
    entries: list[dict] = []
    entry: dict = {}
    key: tuple[str, int] | None = None

    def close():
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            key = None
        elif line.startswith("#,"):
            if "msgid" in entry:
                close()
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#~"):
            continue  # obsolete entries do not count
        elif line.startswith("#"):
            if "msgid" in entry:
                close()
        elif line.startswith('"'):
            assert key is not None, f"continuation line without a keyword: {raw!r}"
            name, index = key
            if name == "msgstr":
                entry["msgstr"][index] += _unquote(line)
            else:
                entry[name] += _unquote(line)
        else:
            word, _, rest = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", word)
            if word == "msgctxt" and "msgid" in entry:
                close()
            if match or word == "msgstr":
                index = int(match.group(1)) if match else 0
                entry.setdefault("msgstr", {})[index] = _unquote(rest)
                key = ("msgstr", index)
            else:
                entry[word] = _unquote(rest)
                key = (word, 0)
    close()
    for e in entries:
        e["msgstr"] = [e["msgstr"][i] for i in sorted(e.get("msgstr", {0: ""}))]
        e.setdefault("flags", set())
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*[sdif]|%%|%[sd]|\{\w*\}")


# The project catalogue and one per app that keeps its own `locale/` (apps added later carry
# their strings with them, so parallel work never edits one shared file).
CATALOGUES = sorted(PACKAGE.glob("**/locale/en/LC_MESSAGES/django.po"))


def _entries(path: Path) -> list[dict]:
    entries = read_po(path)
    assert entries and entries[0]["msgid"] == "", f"{path} has no header"
    return entries[1:]


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return _entries(LOCALE / "django.po")


@pytest.fixture(
    scope="module", params=CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name)
)
def any_catalogue(request) -> tuple[Path, list[dict]]:
    return request.param, _entries(request.param)


def _label(e: dict) -> str:
    return (f"[{e['msgctxt']}] " if "msgctxt" in e else "") + e["msgid"]


class TestCatalogue:
    def test_reader_understands_the_file(self, catalogue):
        assert len(catalogue) > 300
        assert any("msgid_plural" in e and len(e["msgstr"]) == 2 for e in catalogue)
        assert any(e.get("msgctxt") == "与户主关系" for e in catalogue)

    def test_every_string_is_translated(self, any_catalogue):
        _path, catalogue = any_catalogue
        untranslated = [_label(e) for e in catalogue if not all(s.strip() for s in e["msgstr"])]
        assert not untranslated, (
            f"{len(untranslated)} string(s) without an English translation: {untranslated[:20]}. "
            + HOW_TO_FIX
        )

    def test_no_fuzzy_translations(self, any_catalogue):
        _path, catalogue = any_catalogue
        # gettext skips fuzzy entries, so a fuzzy string shows in Chinese to English users.
        fuzzy = [_label(e) for e in catalogue if "fuzzy" in e["flags"]]
        assert not fuzzy, (
            f"fuzzy (unchecked) translations: {fuzzy[:20]}. Check each, fix it and remove the "
            "'#, fuzzy' line. " + HOW_TO_FIX
        )

    def test_placeholders_are_kept(self, any_catalogue):
        _path, catalogue = any_catalogue
        wrong = []
        for e in catalogue:
            # Plural forms: the singular may drop the number ("1 record" wording is free).
            source = e.get("msgid_plural", e["msgid"])
            expected = sorted(set(PLACEHOLDER.findall(source)))
            if sorted(set(PLACEHOLDER.findall(e["msgstr"][-1]))) != expected:
                wrong.append(_label(e))
        assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"

    def test_compiled_catalogue_matches_the_po(self, any_catalogue):
        # The .mo is committed (no gettext tools needed on a fresh clone): it must be current.
        path, catalogue = any_catalogue
        with path.with_suffix(".mo").open("rb") as fh:
            compiled = gettext.GNUTranslations(fh)
        stale = []
        for e in catalogue:
            msgid = (e["msgctxt"] + "\x04" if "msgctxt" in e else "") + e["msgid"]
            if "msgid_plural" in e:
                got = [compiled.ngettext(msgid, e["msgid_plural"], n) for n in (1, 2)]
            else:
                got = [compiled.gettext(msgid)]
            if got != e["msgstr"]:
                stale.append(_label(e))
        assert not stale, (
            f"django.mo is out of date with django.po for: {stale[:20]}. " + HOW_TO_FIX
        )


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)
def test_every_source_string_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    """A string marked for translation in code or a template but never extracted would show in
    Chinese to English users without any test noticing: extract again, as `make messages` does,
    into a copy of the package (the real catalogue is left alone), and compare."""
    copy = tmp_path / "bianmin"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    fresh = [e for po in copy.glob("**/locale/en/LC_MESSAGES/django.po") for e in read_po(po)[1:]]
    new = [
        _label(e) for e in fresh if "fuzzy" in e["flags"] or not all(s.strip() for s in e["msgstr"])
    ]
    assert not new, (
        f"{len(new)} string(s) in the code or templates are not translated in the catalogue: "
        f"{new[:20]}. " + HOW_TO_FIX
    )
