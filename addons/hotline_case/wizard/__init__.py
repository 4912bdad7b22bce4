from . import hotline_case_merge_wizard
