"""Pure-Python helpers of the migration (no Odoo import): read legacy sources, parse their dates and
phones, load the mapping, generate a test legacy system."""
