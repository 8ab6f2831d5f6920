"""entry_points: prepare and build_wheel write `entry_points.txt` from ``$FAKE_ENTRY_POINTS``.

``drift``: the wheel declares another console script than the prepared `.dist-info`;
``respelled``: the same entry points, reordered, respaced and commented.
"""

from __future__ import annotations

import os
from typing import Any

from . import _fakekit as kit

# Dynamic keeps the fast path out of prepare, so the inner hook prepares the .dist-info even in
# an unpacked sdist (where the wrapper's byte-identical shortcut applies); ``$FAKE_STATIC`` set
# makes the metadata static, so the wrapper's fast path answers prepare instead.
META = kit.metadata(dynamic=() if os.environ.get("FAKE_STATIC") else ("Requires-Dist",))
PREPARED = b"[console_scripts]\ndemo = demo_pkg:main\n\n[demo.plugins]\na = demo_pkg.a:A [x,y]\n"
BUILT = {
    "drift": PREPARED.replace(b"demo_pkg:main", b"demo_pkg:other"),
    "respelled": b"# written by a build hook\n[demo.plugins]\na=demo_pkg.a : A [y, x]\n\n"
    b"[console_scripts]\n  demo   =   demo_pkg:main\n",
    "same": PREPARED,
}


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    kit.log("prepare_metadata_for_build_wheel")
    return kit.write_prepared(metadata_directory, META, {"entry_points.txt": PREPARED})


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    return kit.write_sdist(sdist_directory, META)


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    built = BUILT[os.environ.get("FAKE_ENTRY_POINTS", "same")]
    return kit.write_wheel(wheel_directory, META, {"entry_points.txt": built})
