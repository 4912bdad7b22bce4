"""The reconciliation: the legacy system's figures (counted by the entities as their rows are read) next to
the same figures read back from the imported records, by month and unit; legacy = imported + rejected."""

from collections import defaultdict


def imported_figures(cr, source_id, tz):
    """The same figures as the legacy ones, read back from the records the source `source_id` brought (months
    in the legacy time zone `tz`)."""
    figures = defaultdict(lambda: defaultdict(int))
    if not source_id:
        return figures
    params = {"tz": tz, "source": source_id}
    cr.execute("""
        SELECT to_char(c.date_received AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s, 'YYYY-MM'),
               COALESCE(u.code, ''), count(*), count(*) FILTER (WHERE c.state = 'closed'), c.satisfaction
          FROM hotline_migration_xref x
          JOIN hotline_case c ON c.id = x.res_id
     LEFT JOIN hotline_unit u ON u.id = c.unit_id
         WHERE x.source_id = %(source)s AND x.entity = 'cases'
         GROUP BY 1, 2, 5
    """, params)
    for month, unit, count, closed, satisfaction in cr.fetchall():
        bucket = figures[(month, unit)]
        bucket["cases"] += count
        bucket["closed"] += closed
        if satisfaction:
            bucket[f"satisfaction:{satisfaction}"] += count
    cr.execute("""
        SELECT to_char(k.enter_time AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s, 'YYYY-MM'), count(*),
               COALESCE(sum(k.talk_seconds), 0)
          FROM hotline_migration_xref x
          JOIN hotline_call k ON k.id = x.res_id
         WHERE x.source_id = %(source)s AND x.entity = 'calls'
         GROUP BY 1
    """, params)
    for month, count, talk in cr.fetchall():
        figures[(month, "")]["calls"] += count
        figures[(month, "")]["talk_seconds"] += talk
    return figures


def reconcile(legacy_figures, rejected_figures, imported, dry_run=False):
    """Rows (month, unit, metric, legacy, imported, rejected, status): legacy = imported + rejected. A dry run
    imports nothing: what it would import is what is not rejected."""
    keys = sorted(set(legacy_figures) | set(imported))
    lines = []
    for key in keys:
        metrics = sorted(set(legacy_figures.get(key, {})) | set(imported.get(key, {})))
        for metric in metrics:
            legacy = legacy_figures.get(key, {}).get(metric, 0)
            rejected = rejected_figures.get(key, {}).get(metric, 0)
            done = imported.get(key, {}).get(metric, 0) if not dry_run else legacy - rejected
            if legacy == done:
                status = "equal"
            elif legacy == done + rejected:
                status = "explained"
            else:
                status = "different"
            lines.append({"month": key[0], "unit": key[1], "metric": metric, "legacy": legacy,
                          "imported": done, "rejected": rejected, "status": status})
    return lines
