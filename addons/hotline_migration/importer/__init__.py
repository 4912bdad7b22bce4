"""The import itself: runs inside an Odoo environment (the hotline_import command, the tests, the bench)."""

from .importer import Importer  # noqa: F401
