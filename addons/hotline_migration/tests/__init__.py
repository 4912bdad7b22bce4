from . import test_migration_tools
from . import test_migration_import
