from . import test_center_apply
from . import test_loop
from . import test_payload
from . import test_unit_apply
from . import test_center_guard
from . import test_link_access
