"""Dependencies computed at build time: a base requirement plus whatever DRIFT_REQUIRES names."""

import os

from setuptools import setup

extra = [r for r in os.environ.get("DRIFT_REQUIRES", "").split(",") if r]
setup(install_requires=["packaging>=24", *extra])
