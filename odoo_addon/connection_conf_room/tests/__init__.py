from . import test_room_booking  # noqa: F401
