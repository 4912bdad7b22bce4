def migrate(cr, version):
    """The deduction detail was stored as text, in the language of whoever computed: it is kept aside as
    deduction_legacy, read back into facts by post-migrate (the detail is now written for each reader)."""
    cr.execute("""SELECT 1 FROM information_schema.columns
                   WHERE table_name = 'hotline_assessment_result' AND column_name = 'deduction_detail'""")
    if cr.fetchone():
        cr.execute("ALTER TABLE hotline_assessment_result RENAME COLUMN deduction_detail TO deduction_legacy")
