"""The sign's language: BCP 47 locale resolution and the gettext catalogs shipped with it.

The words come from ``locale/<language>/LC_MESSAGES/epaper_satellite.po`` (GNU gettext
catalogs, the sources kept in the repository). They are compiled with Babel into a
:class:`babel.support.Translations` the first time a language is used in a process, so
every install (wheel, ``pip install ./satellite``, editable) has them without a build
step. Formats of times and dates follow CLDR for the locale (:mod:`.timetext`).
"""

from __future__ import annotations

import functools
import gettext
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

_LOGGER = logging.getLogger(__name__)

DOMAIN = "epaper_satellite"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LOCALE = "en"
# Languages with a catalog (the words); any locale CLDR knows still gets its formats.
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "el", "ar", "he", "ja", "zh", "ko")
MAX_TAG = 64


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (translated where drawn)."""
    return message


def parse_tag(tag: str) -> Locale | None:
    """Return the CLDR locale of a BCP 47 tag (``de-DE``, ``zh-Hant-TW``), or None.

    ``_`` is taken as ``-`` (Odoo's ``de_DE``); extensions and private use
    (``-u-...``, ``-x-...``) are dropped. Unknown or malformed tags give None.
    """
    if not isinstance(tag, str) or not 0 < len(tag) <= MAX_TAG:
        return None
    subtags = tag.strip().replace("_", "-").split("-")
    for index, subtag in enumerate(subtags):
        if len(subtag) == 1 and index > 0:  # an extension or private-use singleton
            subtags = subtags[:index]
            break
    try:
        return Locale.parse("-".join(subtags), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@dataclass(frozen=True, kw_only=True)
class SignLocale:
    """The locale a sign uses: CLDR formats from ``locale``, words from ``language``.

    ``tag`` is the BCP 47 tag in use (e.g. ``de-DE``); ``note`` says, in English for the
    log and the status, why a requested locale was not used as asked (else None).
    """

    tag: str
    locale: Locale
    language: str
    note: str | None = None

    @property
    def right_to_left(self) -> bool:
        """True for locales written right to left (ar, he, ...)."""
        return bool(self.locale.character_order == "right-to-left")


def _catalog_language(locale: Locale) -> str | None:
    return locale.language if locale.language in LANGUAGES else None


def resolve_locale(requested: str | None, configured: str | None = None) -> SignLocale:
    """Pick the sign's locale: the payload's, else the configured one, else ``en``.

    A requested tag that is malformed or unknown to CLDR falls back to the next choice
    with a ``note``; a known locale without a catalog keeps its formats and takes its
    words from English, also with a note. Never raises.
    """
    notes: list[str] = []
    for source, tag in (("payload", requested), ("configured", configured)):
        if tag is None:
            continue
        locale = parse_tag(tag)
        if locale is None:
            notes.append(f"{source} locale {tag[:MAX_TAG]!r} is not a known BCP 47 locale")
            continue
        language = _catalog_language(locale)
        if language is None:
            notes.append(f"no catalog for {tag!r}: its formats with English words")
            language = DEFAULT_LOCALE
        return SignLocale(
            tag=str(locale).replace("_", "-"),
            locale=locale,
            language=language,
            note="; ".join(notes) or None,
        )
    if notes:
        notes.append(f"using {DEFAULT_LOCALE!r}")
    return SignLocale(
        tag=DEFAULT_LOCALE,
        locale=Locale.parse(DEFAULT_LOCALE),
        language=DEFAULT_LOCALE,
        note="; ".join(notes) or None,
    )


def catalog_path(language: str) -> Path:
    """Return the ``.po`` source of ``language``'s catalog."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    """Return the compiled catalog of ``language`` (one of :data:`LANGUAGES`).

    The ``.po`` file is read with Babel and compiled to ``.mo`` in memory, once per
    process. A missing or unreadable catalog gives the English words (logged).
    """
    path = catalog_path(language)
    try:
        with path.open("rb") as source:
            catalog = read_po(source, locale=language, domain=DOMAIN)
    except (OSError, ValueError) as err:
        _LOGGER.error("Cannot read the %s catalog %s: %s", language, path, err)
        return gettext.NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass
class Words:
    """The sign's fixed words in one language; remembers which messages were asked for."""

    sign_locale: SignLocale
    used: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        """Load the catalog of the locale's language."""
        self._catalog = translations(self.sign_locale.language)

    def gettext(self, message: str, **values: object) -> str:
        """Return ``message`` translated, with ``{name}`` placeholders filled from ``values``."""
        self.used.add(message)
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """Return the plural form for ``count`` (CLDR plural rules of the catalog)."""
        self.used.add(singular)
        text = self._catalog.ngettext(singular, plural, count)
        return text.format(count=count, **values)
