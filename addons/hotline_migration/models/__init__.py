from . import hotline_migration_source
from . import hotline_migration_xref
