from . import hotline_case_merge_wizard
from . import hotline_return_ruling_wizard
