"""The import itself: runs inside an Odoo environment (the hotline_import command, the tests, the bench).

- importer.py: the run (prerequisites, the read-check-convert-write loop, batches and their xref lines, resuming,
  reports);
- entities/: one class per legacy entity (convert a row, write a batch, count the legacy figures), listed in the
  import's order in entities/__init__.py;
- history.py: what the workflow derives from the history once it is in (case order, units, dates, time limits);
- reconcile.py: the legacy figures next to the imported ones;
- bulk.py, parallel.py, indexes.py: how a big load is written (COPY, processes side by side, indexes set aside).
"""

from .importer import Importer  # noqa: F401
