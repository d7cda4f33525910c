"""The sign's catalogs and locales: complete catalogs, locale resolution with fallbacks."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from epaper_satellite import i18n
from epaper_satellite.i18n import LANGUAGES, Words, catalog_path, resolve_locale

SOURCE = Path(i18n.__file__).resolve().parent
TEMPLATE = SOURCE / "locale" / "epaper_satellite.pot"


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def _extracted() -> dict[str, str | tuple[str, ...]]:
    """Every message id the satellite's source marks, extracted with Babel."""
    found: dict[str, str | tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(str(SOURCE)):
        found[_key(message)] = message
    return found


def _read(path: Path, language: str | None = None):  # type: ignore[no-untyped-def]
    with path.open("rb") as source:
        return read_po(source, locale=language)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_template_matches_the_source() -> None:
    """The .pot holds exactly the messages the source marks (re-extract with pybabel)."""
    template = {_key(m.id): m.id for m in _read(TEMPLATE) if m.id}
    assert template == _extracted()


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language: str) -> None:
    """No missing, unused, fuzzy or empty message; placeholders and plural forms kept."""
    source = _extracted()
    catalog = _read(catalog_path(language), language)
    messages = {_key(m.id): m for m in catalog if m.id}
    assert set(messages) - set(source) == set(), "unused message ids"
    assert set(source) - set(messages) == set(), "missing message ids"
    forms = get_plural(language).num_plurals
    for key, message in messages.items():
        assert not message.fuzzy, key
        assert message.id == source[key], f"{key}: singular/plural differ from the source"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{key}: empty translation"
        if isinstance(message.id, tuple):
            assert len(strings) == forms, f"{key}: {len(strings)} plural forms, want {forms}"
        for text in strings:
            assert _fields(text) == _fields(key), f"{key}: placeholders changed in {text!r}"
            assert "\n" not in text


# Words that are the same in English and in the language (none at present): they
# would make the "every word changes" rendering test blind for them.
SAME_AS_ENGLISH: set[tuple[str, str]] = set()


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_word_is_translated(language: str) -> None:
    """Each language has its own word for every message (compiled from the .po)."""
    words = Words(resolve_locale(language))
    values = {name: "X" for name in ("time", "date", "device", "version", "panel", "minutes")}
    for key in _extracted():
        if "{count}" in key:
            translated, english = words.ngettext(key, key, 3), key.format(count=3)
        else:
            translated, english = words.gettext(key, **values), key.format(**values)
        if (language, key) not in SAME_AS_ENGLISH:
            assert translated != english, f"{language}: {key!r} is untranslated"


@pytest.mark.parametrize(
    ("requested", "configured", "tag", "language", "noted"),
    [
        ("de-DE", None, "de-DE", "de", False),
        ("de_DE", None, "de-DE", "de", False),
        ("en-US", "de-DE", "en-US", "en", False),
        (None, "fr-CH", "fr-CH", "fr", False),
        (None, None, "en", "en", False),
        ("zh-Hant-TW", None, "zh-Hant-TW", "zh", False),
        ("pt-BR", None, "pt-BR", "pt", False),
        ("ar-u-nu-latn", None, "ar", "ar", False),
        ("sw-KE", None, "sw-KE", "en", True),
        ("not a locale!", "it", "it", "it", True),
        ("xx-YY", None, "en", "en", True),
        ("x" * 200, None, "en", "en", True),
        ("", "ja", "ja", "ja", True),
    ],
)
def test_resolve_locale(
    requested: str | None, configured: str | None, tag: str, language: str, noted: bool
) -> None:
    """Payload first, then the configured locale, then en; never raises, says why."""
    resolved = resolve_locale(requested, configured)
    assert (resolved.tag, resolved.language) == (tag, language)
    assert (resolved.note is not None) == noted
    if noted:
        assert re.search(r"locale|catalog", resolved.note or "")


def test_right_to_left_locales() -> None:
    """Arabic and Hebrew are right-to-left locales, the others are not."""
    assert {lang for lang in LANGUAGES if resolve_locale(lang).right_to_left} == {"ar", "he"}


def test_plural_forms_follow_the_language() -> None:
    """Polish and Arabic pick their plural form by CLDR rules."""
    polish = Words(resolve_locale("pl"))
    assert [polish.ngettext("+{count} more", "+{count} more", n) for n in (1, 3, 5)] == [
        "+1 spotkanie",
        "+3 spotkania",
        "+5 spotkań",
    ]
    english = Words(resolve_locale("en"))
    assert english.ngettext("+{count} more", "+{count} more", 2) == "+2 more"
