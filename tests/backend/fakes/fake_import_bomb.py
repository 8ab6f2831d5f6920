"""import_bomb: importing this backend fails; the prepare fast path must never do it."""

from __future__ import annotations

raise RuntimeError("fake_import_bomb was imported (marker 5d0c)")
