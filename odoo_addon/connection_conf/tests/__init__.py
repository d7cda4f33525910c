from . import (  # noqa: F401
    test_database_constraints,
    test_epaper_doors,
    test_epaper_publish,
    test_epaper_schedule,
    test_groups,
    test_room_identity,
    test_room_rasp_broker,
    test_room_rasp_connection,
    test_secret_rights,
)
