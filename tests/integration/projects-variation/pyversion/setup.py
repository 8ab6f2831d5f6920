import sys

from setuptools import setup

# The backport is needed before Python 3.11; the tag says which Python the wheel is for.
requires = ["attrs>=23"]
if sys.version_info < (3, 11):
    requires.append("tomli>=1.1")

setup(
    install_requires=requires,
    options={"bdist_wheel": {"python_tag": f"cp{sys.version_info[0]}{sys.version_info[1]}"}},
)
