"""The pattern under test: optional requirements chosen at build time, none by default."""

import os

from setuptools import setup

setup(install_requires=[r for r in os.environ.get("DRIFT_REQUIRES", "").split(",") if r])
