from . import hotline_platform_reply_wizard
