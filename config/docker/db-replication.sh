#!/bin/bash
# Primary (service `db`), first start only: accept streaming replication from the
# compose network (the `db-replica` service) with the database password.
set -e
echo "host replication ${POSTGRES_USER} samenet scram-sha-256" >> "$PGDATA/pg_hba.conf"
