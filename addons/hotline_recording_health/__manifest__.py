{
    "name": "Hotline Recording Health",
    "summary": "System health row for call recordings: disk use, oldest recording, conversion backlog "
               "(glue of hotline_recording and hotline_health)",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_recording", "hotline_health"],
    "auto_install": True,
    "installable": True,
}
