from . import calendar_event  # noqa: F401
