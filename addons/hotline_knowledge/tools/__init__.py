from . import tokens
