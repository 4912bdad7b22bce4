from . import test_platform_figures
