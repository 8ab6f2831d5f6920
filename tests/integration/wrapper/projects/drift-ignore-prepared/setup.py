"""The pattern under test: a requirement added only when setup.py runs as ``bdist_wheel``."""

import sys

from setuptools import setup

requires = ["packaging>=24"]
if "bdist_wheel" in sys.argv:  # "the real build": prepare_metadata runs `dist_info` instead
    requires.append("attrs>=23")
setup(install_requires=requires)
