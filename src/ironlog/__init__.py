"""IronLog: a self-hostable workout tracker API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ironlog")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
