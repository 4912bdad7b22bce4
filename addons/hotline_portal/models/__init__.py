from . import hotline_case
