from . import test_migration_tools
from . import test_migration_import
from . import test_migration_secrets
from . import test_migration_other_shape
from . import test_migration_rpc
