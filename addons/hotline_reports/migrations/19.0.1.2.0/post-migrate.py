def migrate(cr, version):
    """A published version's scheme_name was text in the publisher's language; the update made it translatable
    ({"en_US": that text}). Where the text is a name, in some language, of the version's assessment's scheme (or
    else of exactly one scheme), the version takes that scheme's name in every language (its translations as
    they are now, the best record of those published); otherwise the text stays, read the same in every
    language."""
    cr.execute("SELECT id, name FROM hotline_assessment_scheme")
    schemes = dict(cr.fetchall())
    cr.execute("""SELECT p.id, p.scheme_name, a.scheme_id
                    FROM hotline_assessment_publication p
                    JOIN hotline_assessment a ON a.id = p.assessment_id
                   WHERE p.scheme_name IS NOT NULL""")
    for publication_id, names, own in cr.fetchall():
        if len(names) != 1:  # already copied with its translations
            continue
        text = next(iter(names.values()))
        matches = [scheme_id for scheme_id, scheme_names in schemes.items() if text in (scheme_names or {}).values()]
        scheme_id = own if own in matches else matches[0] if len(matches) == 1 else None
        if scheme_id:
            cr.execute("""UPDATE hotline_assessment_publication
                             SET scheme_name = (SELECT name FROM hotline_assessment_scheme WHERE id = %s)
                           WHERE id = %s""", [scheme_id, publication_id])
