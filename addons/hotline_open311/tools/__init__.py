from . import gcj02, georeport, masking
