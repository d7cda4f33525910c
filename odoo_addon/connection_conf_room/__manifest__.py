{  # noqa: B018
    "name": "E-Paper Door Signs: Meeting Rooms",
    "summary": "Link e-paper displays to Meeting Rooms and push booking changes at once",
    "version": "1.0.0",
    "category": "Productivity",
    "author": "Odoo E-Paper team",
    "license": "LGPL-3",
    "depends": ["connection_conf", "room"],
    "data": [
        "views/room_rasp_connection_views.xml",
    ],
    "auto_install": True,
}
