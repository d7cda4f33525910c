from . import test_calendar_event  # noqa: F401
