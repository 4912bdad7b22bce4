from . import case_status, main
