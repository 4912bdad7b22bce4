{
    "name": "Hotline Telephony",
    "summary": "Asterisk PBX integration: calls, agent states, screen pop, click-to-dial",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_case", "bus"],
    "data": [],
    "installable": True,
    "application": False,
}
