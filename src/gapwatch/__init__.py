"""gapwatch: an equity data system for school districts."""

__version__ = "0.1.0"
