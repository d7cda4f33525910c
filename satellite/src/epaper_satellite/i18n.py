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

from babel import Locale, UnknownLocaleError, localedata
from babel.core import get_global
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


def _exists(identifier: str) -> bool:
    return bool(localedata.exists(identifier))


def _twelve_hour(locale: Locale) -> bool:
    return "h" in locale.time_formats["short"].pattern.replace("'", "")


def _country(zone_name: str | None) -> str | None:
    """The ISO country of an IANA zone by CLDR (``Europe/Berlin`` -> ``DE``), else None."""
    if not zone_name:
        return None
    name = get_global("zone_aliases").get(zone_name, zone_name)
    territory = get_global("zone_territories").get(name)
    return territory if territory and territory.isalpha() and territory != "ZZ" else None


def zone_name(tz: object) -> str | None:
    """The IANA name of a zone object (``ZoneInfo.key``); ``UTC`` for :data:`datetime.UTC`."""
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    return "UTC" if str(tz) == "UTC" else None


def with_region(locale: Locale, zone_name: str | None) -> Locale:
    """Give a locale without a region the room's: the country of its zone.

    ``de`` in Europe/Vienna is ``de_AT``, ``en`` in Europe/Berlin ``en_DE`` (24 h), in
    America/New_York ``en_US`` (12 h). When CLDR has no English for that country, ``en``
    takes the hour cycle of the country's main official language (``en_150`` for 24 h,
    ``en_001`` for 12 h); ``en`` with no country at all (UTC) is ``en_150``: the 12 h
    clock only where a locale says so. A locale with a region, or no ``zone_name``, is
    kept as it is.
    """
    if locale.territory or not zone_name:
        return locale
    country = _country(zone_name)
    script = f"_{locale.script}" if locale.script else ""
    if country and _exists(f"{locale.language}{script}_{country}"):
        return Locale.parse(f"{locale.language}{script}_{country}")
    if locale.language != DEFAULT_LOCALE:
        return locale
    if country:
        spoken = get_global("territory_languages").get(country, {})
        official = [
            (info.get("population_percent", 0), language)
            for language, info in spoken.items()
            if info.get("official_status") == "official" and _exists(f"{language}_{country}")
        ]
        if official and _twelve_hour(Locale.parse(f"{max(official)[1]}_{country}")):
            return Locale.parse("en_001")
    return Locale.parse("en_150")


def resolve_locale(
    requested: str | None, configured: str | None = None, zone_name: str | None = None
) -> SignLocale:
    """Pick the sign's locale: the payload's, else the configured one, else ``en``.

    A requested tag that is malformed or unknown to CLDR falls back to the next choice
    with a ``note``; a known locale without a catalog keeps its formats and takes its
    words from English, also with a note. ``zone_name`` (the room's IANA zone) gives a
    tag without a region its country (:func:`with_region`). Never raises.
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
        locale = with_region(locale, zone_name)
        return SignLocale(
            tag=str(locale).replace("_", "-"),
            locale=locale,
            language=language,
            note="; ".join(notes) or None,
        )
    if notes:
        notes.append(f"using {DEFAULT_LOCALE!r}")
    locale = with_region(Locale.parse(DEFAULT_LOCALE), zone_name)
    return SignLocale(
        tag=str(locale).replace("_", "-"),
        locale=locale,
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
