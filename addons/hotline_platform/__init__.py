from . import controllers, models, wizard
