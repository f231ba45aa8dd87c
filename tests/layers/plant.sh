#!/usr/bin/env bash
# plant.sh — check-layers must pass on the tree and fail on each planted offence
# (an upward include, a sideways one, a private header used from cmd/, an internal header
# used from cmd/, an include without its folder). Prints "ok"/"not ok" lines.
set -uo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check() { # name expected-status
    local rc out
    out=$(scripts/check-layers "$tmp/t" 2>&1); rc=$?
    if [ "$rc" = "$2" ]; then echo "ok layers: $1"; else echo "not ok layers: $1 (exit $rc)"; printf '%s\n' "$out" | head -5; fi
}
fresh() { rm -rf "$tmp/t"; mkdir -p "$tmp/t"; cp -r lib cmd "$tmp/t/"; }
fresh; check "the tree passes" 0
fresh; sed -i '0,/^#include "/s//#include "store\/store.h"\n#include "/' "$tmp/t/lib/base/err.c"
check "an upward include (base -> store) fails" 1
fresh; sed -i '0,/^#include "/s//#include "customer\/agg.h"\n#include "/' "$tmp/t/lib/import/source.c"
check "a sideways include (import -> customer) fails" 1
fresh; sed -i '0,/^#include "/s//#include "store\/storefmt.h"\n#include "/' "$tmp/t/cmd/crm-rfm.c"
check "cmd/ using a private header fails" 1
fresh; sed -i '0,/^#include "/s//#include "base\/hash.h"\n#include "/' "$tmp/t/cmd/crm-rfm.c"
check "cmd/ using an internal header fails" 1
fresh; sed -i '0,/^#include "/s//#include "err.h"\n#include "/' "$tmp/t/lib/text/money.c"
check "an include without its folder fails" 1
