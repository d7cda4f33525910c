# Home Assistant 2026.9+ aliases `voluptuous` to probatio at import
# (homeassistant/__init__.py: probatio.compat.install_as_voluptuous), so at run time the
# integration's `import voluptuous as vol` IS probatio. Type checks see the same; the real
# voluptuous package that some dependencies still install is never what HA runs.
from probatio import *  # noqa: F403  (the whole module, as at run time)
