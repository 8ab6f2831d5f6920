"""Dependencies computed at build time from DRIFT_REQUIRES alone: none by default."""

import os

from setuptools import setup

setup(install_requires=[r for r in os.environ.get("DRIFT_REQUIRES", "").split(",") if r])
