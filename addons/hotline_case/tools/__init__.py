from .phone import InvalidPhoneError, is_area_code, normalize_phone, search_phone_term
