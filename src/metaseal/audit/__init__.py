"""``metaseal audit``: build a project every way a release is built, and check every pair.

For a project that does not (yet) use the wrapper backend: the sdist from the tree, the wheel
from the sdist, the wheel from the tree, and the metadata ``prepare_metadata_for_build_wheel``
returns from the tree and from the unpacked sdist, each in its own isolated environment (and
the wheels under every interpreter asked for). Needs the ``metaseal[audit]`` extra
(``pyproject-hooks``); nothing is installed into the user's environment.
"""
