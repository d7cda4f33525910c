{  # noqa: B018
    "name": "E-Paper Door Signs: Calendar",
    "summary": "Push calendar event changes to the e-paper door sign of their location",
    "version": "1.0.0",
    "category": "Productivity",
    "author": "Odoo E-Paper team",
    "license": "LGPL-3",
    "depends": ["connection_conf", "calendar"],
    "auto_install": True,
}
