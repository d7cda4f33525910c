"""The Odoo client against the JSON-RPC test server, over real HTTP."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from custom_components.odoo_epaper.odoo_client import (
    OdooAccessError,
    OdooAddonTooOldError,
    OdooAuthError,
    OdooClient,
    OdooConnectionError,
    OdooDatabaseError,
    OdooError,
    OdooMissingModelError,
    OdooUrlError,
    parse_url,
    valid_timezone,
)
from custom_components.odoo_epaper.odoo_server_info import DISPLAY_MODEL
from custom_components.odoo_epaper.schedule import Schedule, booking_window
from custom_components.odoo_epaper.schedule_pages import PAGE_SIZE
from testbed.ha_entry import ODOO_DATABASE, ODOO_LOGIN, ODOO_PASSWORD
from testbed.odoo_server import OdooTestServer

from .conftest import add_rooms


def make_client(server: OdooTestServer, **changes: str) -> OdooClient:
    """A client for the server's admin user."""
    args = {
        "url": server.url,
        "database": ODOO_DATABASE,
        "username": ODOO_LOGIN,
        "password": ODOO_PASSWORD,
        **changes,
    }
    return OdooClient(args["url"], args["database"], args["username"], args["password"])


def window(server: OdooTestServer, days: int = 7) -> tuple[dt.datetime, dt.datetime]:
    """The refresh window around the server's today at noon."""
    now = dt.datetime.combine(server.today, dt.time(12), tzinfo=dt.UTC)
    return booking_window(now, days)


def fetch(
    server: OdooTestServer, source: str = "auto", days: int = 7, default_tz: str | None = None
) -> Schedule:
    """Connect and read one cycle."""
    client = make_client(server)
    client.connect()
    return client.fetch_schedule(source, *window(server, days), default_tz)


def titles(schedule: Schedule, device: str) -> list[str]:
    """The titles of a device's bookings, in start order."""
    return [b.title for b in sorted(schedule.bookings[device], key=lambda b: b.start)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://odoo.local:8069", "http://odoo.local:8069"),
        ("https://Odoo.Example.com", "https://odoo.example.com:443"),
        ("http://10.0.0.5/", "http://10.0.0.5:80"),
        ("  https://odoo.example.com:8443/  ", "https://odoo.example.com:8443"),
    ],
)
def test_parse_url(url: str, expected: str) -> None:
    """URLs are normalised to scheme, lower-case host and explicit port."""
    assert parse_url(url).url == expected


@pytest.mark.parametrize(
    "url",
    [
        "odoo.local",
        "ftp://odoo.local",
        "http://",
        "http://odoo.local/odoo",
        "http://h:99999",
        "http://h/?db=x",
    ],
)
def test_parse_url_rejects(url: str) -> None:
    """Anything but an http(s) server root is refused with a clear error."""
    with pytest.raises(OdooUrlError, match="Invalid URL"):
        parse_url(url)


def test_valid_timezone() -> None:
    """Only IANA names pass."""
    assert valid_timezone("Europe/Berlin") == "Europe/Berlin"
    assert valid_timezone("Mars/Olympus") is None
    assert valid_timezone(False) is None
    assert valid_timezone("../etc") is None


def test_connect_reads_metadata_once(odoo_server: OdooTestServer) -> None:
    """Login, models, user timezone and the display fields; a handful of RPCs, once."""
    client = make_client(odoo_server)
    with pytest.raises(OdooError, match="Not connected"):
        _ = client.info
    info = client.connect()
    assert info.uid == 2
    assert info.version == "18.0"
    assert info.user_tz == "Europe/Brussels"
    assert info.models == {"room.rasp.connection", "room.room"}
    assert info.sources == ("room_booking", "calendar")
    assert info.has_addon
    assert {"name", "room_id", "topic_prefix", "tz"} <= info.display_fields
    assert info.unique_id == f"{odoo_server.url}|odoo|2"
    assert client.info is info
    assert odoo_server.count(service="common", method=None) == 1
    # context_get, has_access per known model (ir.model is for administrators only on a
    # real Odoo 18/19: the hub never reads it), the display fields, the addon's sources.
    assert odoo_server.count("ir.model") == 0
    assert sum(odoo_server.counts().values()) == 1 + 2 + 1 + 1


def test_a_user_who_is_no_administrator_connects(odoo_server: OdooTestServer) -> None:
    """The hub's Odoo user is an internal user with the addon's reporter group, never an
    administrator; like a real Odoo, the test server refuses it ir.model."""
    client = OdooClient(odoo_server.url, ODOO_DATABASE, "demo", "demo-pw")
    info = client.connect()
    assert info.has_addon
    assert info.sources == ("room_booking", "calendar")


def booking_refs(schedule: Schedule) -> set[str]:
    """The models of the bookings read (from their refs, ``model,id``)."""
    return {
        (b.ref or "").split(",")[0] for bookings in schedule.bookings.values() for b in bookings
    }


def test_source_choice(odoo_server: OdooTestServer) -> None:
    """The hub asks for the addon's source ids: ``auto`` reads the Meeting Rooms
    bookings when that module is installed, else the calendar, never both."""
    info = make_client(odoo_server).connect()
    assert (info.source("auto"), info.source("calendar"), info.source("bogus")) == (
        "auto",
        "calendar",
        None,
    )
    assert booking_refs(fetch(odoo_server, "auto")) == {"room.booking"}
    assert booking_refs(fetch(odoo_server, "calendar")) == {"calendar.event"}
    odoo_server.remove_model("room.booking")
    info = make_client(odoo_server).connect()
    assert (info.sources, info.source("room_booking")) == (("calendar",), None)
    assert booking_refs(fetch(odoo_server, "auto")) == {"calendar.event"}


def test_an_addon_that_lists_no_sources_is_too_old(odoo_server: OdooTestServer) -> None:
    """An addon without ``epaper_schedule_sources`` (older than the source ids): the
    read says to update it (the repair issue), it does not guess a model."""
    odoo_server.drop_method("epaper_schedule_sources")
    client = make_client(odoo_server)
    assert client.connect().sources is None
    with pytest.raises(OdooAddonTooOldError, match="update it"):
        client.fetch_schedule("auto", *window(odoo_server))


def test_list_databases(odoo_server: OdooTestServer) -> None:
    """The db service lists databases; a server that hides them gives None."""
    assert make_client(odoo_server).list_databases() == ["odoo", "staging"]
    odoo_server.list_db = False
    assert make_client(odoo_server).list_databases() is None


def test_list_databases_server_down(odoo_server: OdooTestServer) -> None:
    """A server that is down is a connection error, not an empty list."""
    odoo_server.go_down()
    with pytest.raises(OdooConnectionError, match="Cannot reach"):
        make_client(odoo_server).list_databases()


def test_list_databases_server_gone_after_login(odoo_server: OdooTestServer) -> None:
    """The server going away between calls is still a connection error."""
    client = make_client(odoo_server)
    client.connect()
    odoo_server.go_down("http_error")
    with pytest.raises(OdooConnectionError, match="Internal Server Error"):
        client.list_databases()


@pytest.mark.parametrize("how", ["refused", "http_error"])
def test_connect_server_down(odoo_server: OdooTestServer, how: str) -> None:
    """Connection refused and HTTP 500 are both 'cannot connect'."""
    odoo_server.go_down(how)
    with pytest.raises(OdooConnectionError, match=r"Cannot reach|Internal Server Error"):
        make_client(odoo_server).connect()


def test_connect_bad_password(odoo_server: OdooTestServer) -> None:
    """A refused login is an auth error."""
    with pytest.raises(OdooAuthError):
        make_client(odoo_server, password="wrong").connect()


def test_connect_unknown_database(odoo_server: OdooTestServer) -> None:
    """An unknown database is its own error."""
    with pytest.raises(OdooDatabaseError, match="does not exist"):
        make_client(odoo_server, database="nope").connect()


def test_connect_without_read_rights(odoo_server: OdooTestServer) -> None:
    """A user who may not read the displays gets an access error at setup; the hub asks
    with has_access (check_access_rights is deprecated in Odoo 18)."""
    odoo_server.deny_access("room.rasp.connection")
    with pytest.raises(OdooAccessError, match="may not read"):
        make_client(odoo_server).connect()
    assert odoo_server.count("room.rasp.connection", "has_access") == 1
    assert odoo_server.count(method="check_access_rights") == 0


def test_fetch_room_booking(odoo_server: OdooTestServer) -> None:
    """Every display and its bookings in ONE RPC (the addon's epaper_schedule); rooms by
    id, else by name."""
    client = make_client(odoo_server)
    client.connect()
    odoo_server.reset_counts()
    schedule = client.fetch_schedule("auto", *window(odoo_server), "America/Chicago")
    assert odoo_server.counts() == {("room.rasp.connection", "epaper_schedule"): 1}
    call = odoo_server.calls[-1]
    assert call.args == ()  # named arguments only, as JSON-2 requires
    assert (call.kwargs["devices"], call.kwargs["default_tz"]) == (None, "America/Chicago")
    assert call.kwargs["sources"] == ["auto"]  # every display; HA's zone as default
    displays = {d.device: d for d in schedule.displays}
    assert set(displays) == {"reception", "boardroom", "lab-door"}  # old-sign is archived
    assert displays["reception"].room == "Reception"
    assert displays["reception"].locale is None  # no display or company language
    assert displays["reception"].tz == "Europe/Berlin"
    assert displays["reception"].qr == "https://odoo.example.com/room/RCP/book"
    assert displays["reception"].panel_model == "epd7in5_V2"
    assert displays["reception"].topic_prefix is None
    assert displays["boardroom"].tz == "Europe/Brussels"  # the user's
    assert displays["lab-door"].room == "Lab"  # room_name fallback
    assert displays["lab-door"].topic_prefix == "test/room/"
    assert titles(schedule, "reception") == ["Stand-up", "Interview"]  # day+30 is out
    assert titles(schedule, "boardroom") == ["Board meeting"]
    assert titles(schedule, "lab-door") == ["Lab induction"]
    interview = next(b for b in schedule.bookings["reception"] if b.title == "Interview")
    assert interview.organizer == "Marc Demo"
    assert interview.private is False
    assert interview.start == dt.datetime.combine(
        odoo_server.today + dt.timedelta(days=1), dt.time(13), tzinfo=dt.UTC
    )
    lab = schedule.bookings["lab-door"][0]
    assert lab.organizer is None


def test_fetch_calendar(odoo_server: OdooTestServer) -> None:
    """calendar.event by location; privacy from the event, else the organizer's default;
    a private event reaches the door without title or organizer (DESIGN.md section 4)."""
    schedule = fetch(odoo_server, "calendar")
    merger, demo_day = sorted(schedule.bookings["reception"], key=lambda b: b.start)
    assert merger.private is True
    assert demo_day.private is True  # privacy False: Marc Demo's default is private
    assert (merger.title, merger.organizer, demo_day.title, demo_day.organizer) == (
        "",
        None,
        "",
        None,
    )
    assert titles(schedule, "boardroom") == ["Board meeting"]
    assert schedule.bookings["boardroom"][0].private is False
    assert schedule.bookings["boardroom"][0].organizer == "Mitchell Admin"


def test_fetch_calendar_all_day_uses_local_days(odoo_server: OdooTestServer) -> None:
    """An all-day event spans the display's whole local day(s), not 08:00-18:00."""
    schedule = fetch(odoo_server, "calendar")
    offsite = schedule.bookings["lab-door"][0]
    assert offsite.title == "Offsite"
    assert offsite.all_day is True
    day = odoo_server.today + dt.timedelta(days=2)
    new_york = ZoneInfo("America/New_York")
    assert offsite.start.astimezone(new_york).time() == dt.time(0)
    assert offsite.start.astimezone(new_york).date() == day
    assert offsite.end - offsite.start == dt.timedelta(days=1)


def test_two_displays_of_one_room_share_bookings(odoo_server: OdooTestServer) -> None:
    """Two signs at two doors of one room both get its bookings."""
    odoo_server.add_record(
        "room.rasp.connection",
        {
            "name": "reception-2",
            "room_id": 1,
            "room_name": False,
            "topic_prefix": False,
            "tz": False,
            "panel_model": False,
            "active": True,
        },
    )
    schedule = fetch(odoo_server)
    assert titles(schedule, "reception-2") == titles(schedule, "reception")


def test_invalid_display_names_and_timezones(
    odoo_server: OdooTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A display whose name breaks the contract is skipped, loudly; a bad tz falls back."""
    odoo_server.add_record(
        "room.rasp.connection",
        {"name": "Reception Hall", "room_id": 1, "active": True, "tz": False},
    )
    odoo_server.update_record("room.rasp.connection", 2, {"tz": "Mars/Olympus"})
    client = make_client(odoo_server)
    client.connect()
    schedule = client.fetch_schedule("auto", *window(odoo_server))
    client.fetch_schedule("auto", *window(odoo_server))
    assert "Reception Hall" not in {d.device for d in schedule.displays}
    assert caplog.text.count("Skipping display 'Reception Hall'") == 1  # once, not every cycle
    assert "unknown timezone 'Mars/Olympus'" in caplog.text
    assert {d.device: d.tz for d in schedule.displays}["boardroom"] == "Europe/Brussels"


def test_without_addon_it_is_too_old(odoo_server: OdooTestServer) -> None:
    """Without the addon there is no schedule to ask: a typed error, and no RPC."""
    odoo_server.remove_model("room.rasp.connection")
    client = make_client(odoo_server)
    client.connect()
    odoo_server.reset_counts()
    with pytest.raises(OdooAddonTooOldError, match="not installed"):
        client.fetch_schedule("auto", *window(odoo_server))
    assert sum(odoo_server.counts().values()) == 0


def test_addon_without_epaper_schedule_or_other_api(odoo_server: OdooTestServer) -> None:
    """An addon that lacks epaper_schedule (Odoo's AttributeError) or answers another API
    is too old (or too new) for the hub."""
    client = make_client(odoo_server)
    client.connect()
    odoo_server.schedule_api = 2
    with pytest.raises(OdooAddonTooOldError, match="API 2"):
        client.fetch_schedule("auto", *window(odoo_server))
    odoo_server.drop_method("epaper_schedule")
    with pytest.raises(OdooAddonTooOldError, match="'epaper_schedule' does not exist"):
        client.fetch_schedule("auto", *window(odoo_server))


def test_no_zone_is_made_up(odoo_server: OdooTestServer) -> None:
    """Display, then the Odoo user's zone, then the caller's (HA's); "UTC" only when the
    caller sends none. The demo user never set a zone (tz False, as in Odoo 18)."""
    client = OdooClient(odoo_server.url, ODOO_DATABASE, "demo", "demo-pw")
    assert client.connect().user_tz is None
    schedule = client.fetch_schedule("auto", *window(odoo_server), "Europe/Berlin")
    assert {d.device: d.tz for d in schedule.displays} == {
        "reception": "Europe/Berlin",
        "boardroom": "Europe/Berlin",
        "lab-door": "America/New_York",
    }
    odoo_server.company["tz"] = "Asia/Tokyo"
    schedule = client.fetch_schedule("auto", *window(odoo_server), "Europe/Berlin")
    assert {d.device: d.tz for d in schedule.displays}["boardroom"] == "Asia/Tokyo"


def test_locale_from_display_else_company(odoo_server: OdooTestServer) -> None:
    """The display's language as BCP 47, else the company's."""
    odoo_server.update_record("room.rasp.connection", 1, {"lang": "de_DE"})
    odoo_server.company["lang"] = "fr_FR"
    locales = {d.device: d.locale for d in fetch(odoo_server).displays}
    assert locales == {"reception": "de-DE", "boardroom": "fr-FR", "lab-door": "fr-FR"}


def test_missing_source(odoo_server: OdooTestServer) -> None:
    """Asking for a source whose module is not installed is a typed error."""
    odoo_server.remove_model("room.booking")
    client = make_client(odoo_server)
    client.connect()
    with pytest.raises(OdooMissingModelError, match=r"room_booking.*installed: calendar"):
        client.fetch_schedule("room_booking", *window(odoo_server))


def test_runtime_failures_are_typed(odoo_server: OdooTestServer) -> None:
    """Down, password changed, access removed, model uninstalled: each its own error."""
    client = make_client(odoo_server)
    client.connect()
    odoo_server.deny_access("room.rasp.connection")
    with pytest.raises(OdooAccessError, match="not allowed"):
        client.fetch_schedule("auto", *window(odoo_server))
    odoo_server.allow_access("room.rasp.connection")
    odoo_server.deny_access("room.booking")  # the addon reads bookings as superuser
    assert client.fetch_schedule("auto", *window(odoo_server)).displays
    odoo_server.remove_model("room.booking")  # uninstalled after the hub connected
    with pytest.raises(OdooError, match="installed schedule sources"):
        client.fetch_schedule("room_booking", *window(odoo_server))
    assert client.fetch_schedule("auto", *window(odoo_server)).displays  # the addon's choice
    odoo_server.set_password(ODOO_LOGIN, "changed")
    with pytest.raises(OdooAuthError, match="Access Denied"):
        client.fetch_schedule("calendar", *window(odoo_server))
    odoo_server.go_down("http_error")
    with pytest.raises(OdooConnectionError):
        client.fetch_schedule("calendar", *window(odoo_server))


def test_not_an_odoo_server(odoo_server: OdooTestServer) -> None:
    """A URL that answers a web page instead of JSON is 'cannot connect', with a reason."""
    odoo_server.go_down("not_json")
    with pytest.raises(OdooConnectionError, match="does not answer like an Odoo server"):
        make_client(odoo_server).connect()


def test_unknown_failure_mode(odoo_server: OdooTestServer) -> None:
    """The test server refuses failure modes it does not know."""
    with pytest.raises(ValueError, match="unknown failure"):
        odoo_server.go_down("meteor")


def test_a_fleet_is_read_in_pages(odoo_server: OdooTestServer) -> None:
    """The full read asks for pages of PAGE_SIZE displays: the RPC count grows with the
    pages, not the rooms, each page is bounded, and every display arrives once."""
    add_rooms(odoo_server, 250)
    client = make_client(odoo_server)
    client.connect()
    odoo_server.reset_counts()
    update = client.fetch_schedule_update("auto", *window(odoo_server))
    devices = [display.device for display in update.schedule.displays]
    assert sorted(devices) == sorted(set(devices)) and len(devices) == 253
    pages = odoo_server.count(DISPLAY_MODEL, "epaper_schedule")
    assert pages == 253 // PAGE_SIZE + 1  # an exactly full last page is followed by an empty one
    assert sum(odoo_server.counts().values()) == pages
    assert titles(update.schedule, "room-150") == ["Meeting 150"]
    # The cursor of the paged snapshot reads what changed meanwhile, incrementally.
    odoo_server.add_record(
        "room.booking",
        {
            "name": "Late",
            "room_id": 1,
            "organizer_id": 2,
            "start_datetime": "{day} 15:00:00",
            "stop_datetime": "{day} 16:00:00",
        },
    )
    odoo_server.reset_counts()
    later = client.fetch_schedule_update("auto", *window(odoo_server), cursor=update.cursor)
    assert later.full is False and odoo_server.count(DISPLAY_MODEL, "epaper_schedule") == 1
    assert "Late" in {b.title for bookings in later.schedule.bookings.values() for b in bookings}


def test_report_status(odoo_server: OdooTestServer) -> None:
    """Status reports reach the addon in one RPC."""
    client = make_client(odoo_server)
    client.connect()
    odoo_server.reset_counts()
    client.report_status(
        [{"device": "reception", "state": "online", "last_seen": False, "error": None}]
    )
    assert odoo_server.count("room.rasp.connection", "mqtt_status_report") == 1
    assert odoo_server.status_reports == [
        [{"device": "reception", "state": "online", "last_seen": False, "error": None}]
    ]
    assert odoo_server.records["room.rasp.connection"][1]["mqtt_connection_state"] == "online"
