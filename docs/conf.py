"""Sphinx configuration of the metaseal documentation (built offline, warnings are errors).

    python -m sphinx -W --keep-going -n -b html docs docs/_build/html

Reference pages are generated from the code while the site builds (``_ext/metaseal_docs.py``),
so the checkout's ``src/`` goes first on ``sys.path``: the docs describe the code next to them.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE / "_ext")]

from metaseal import __version__  # noqa: E402

project = "metaseal"
author = "The metaseal developers"
copyright = "the metaseal developers"
release = __version__
version = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.extlinks",
    "metaseal_docs",
]

# {source}`examples/hatchling` links to a path of the repository; a test checks that every
# such path exists (tests/unit/test_docs.py).
SOURCE_URL = "https://github.com/metaseal/metaseal/tree/main/"
extlinks = {"source": (SOURCE_URL + "%s", "%s")}

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

# MyST: `(label)=` targets, ```{directive}``` blocks, definition lists and heading anchors so
# `page.md#section` links are checked too.
myst_enable_extensions = ["deflist", "colon_fence"]
myst_heading_anchors = 3
# Smart quotes and ellipses, but never dashes: `--index` typed in prose stays two hyphens.
smartquotes_action = "qe"

# Nitpicky (-n): every cross-reference must resolve. Nothing is fetched from the network
# (no intersphinx), so references into the standard library and packaging are let through.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:(class|obj|exc|data)", r"(collections\.abc|typing|pathlib|os|argparse|enum)\..*"),
    (r"py:(class|obj|exc|data)", r"packaging\..*"),
    (r"py:(class|obj)", r"(NormalizedName|Version|Tag|Path|Sequence|Mapping|Any)"),
    (r"py:(class|obj)", r"(str|int|bool|bytes|None|dict|list|tuple|frozenset|object)"),
    # autodoc splits `tuple[bytes, ...]` (Artifact.duplicates) at the comma
    (r"py:class", r"tuple\[bytes"),
    (r"py:mod", r"warnings"),
    # Internal types that appear in public signatures but are not part of the API.
    (r"py:class", r"(metaseal\.engine\.model\.)?ParsedMetadata"),
    # autodoc splits a dataclass field's `tuple[bytes, ...]` annotation at the comma
    (r"py:class", r"tuple\[\w+"),
]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True

html_theme = "furo"
html_title = f"metaseal {release}"
# Console transcripts and text wrap inside their box, other code scrolls (_static/metaseal.css).
html_static_path = ["_static"]
html_css_files = ["metaseal.css"]
html_last_updated_fmt = None
