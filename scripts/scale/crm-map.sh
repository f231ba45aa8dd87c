#!/bin/sh
# scripts/scale/crm-map.sh — the mapper of a Hadoop Streaming job over order files
# (docs/SCALE.md): every order line goes out keyed by its customer id, "customer_id TAB line",
# so the shuffle brings all of a customer's orders to one reducer. Header lines (whose key
# field reads CRM_KEY_NAME, default customer_id) are dropped. The key is CSV field
# CRM_KEY_FIELD (default 2, as in testdata/sample-orders.csv and scripts/gen's output); fields
# are split at commas, so ids holding a quoted comma need a CSV-aware mapper instead.
exec awk -F, -v f="${CRM_KEY_FIELD:-2}" -v h="${CRM_KEY_NAME:-customer_id}" \
    '$f != h { print $f "\t" $0 }'
