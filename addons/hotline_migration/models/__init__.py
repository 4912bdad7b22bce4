from . import hotline_case
from . import hotline_migration_source
from . import hotline_migration_xref
from . import ir_attachment
