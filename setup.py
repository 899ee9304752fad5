"""Build hook for the C parts: setuptools reads everything else from pyproject.toml."""

from setuptools import setup

setup(cffi_modules=["native/_build.py:ffibuilder"])
