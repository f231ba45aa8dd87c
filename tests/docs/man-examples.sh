#!/usr/bin/env bash
# Every command line in the EXAMPLES section of every man page runs when pasted in the
# source directory (in a scratch copy: testdata/ and ../shared/data are reachable, and
# shop.crm / cdnow.crm exist as the pages assume). Cron lines and script bodies (from a
# "#!" line to the end of its block) are shown, not run. Lines that read ../shared/data are skipped when it is absent.
set -uo pipefail
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" && cd "$work/src"
ln -s "$root/testdata" testdata
[ -d "$root/../shared" ] && ln -s "$root/../shared" "$work/shared"
crm-import -q testdata/sample-orders.csv -o shop.crm
[ -r ../shared/data/CDNOW_sample.txt.gz ] &&
    crm-import -q --preset cdnow ../shared/data/CDNOW_sample.txt.gz -o cdnow.crm
for page in "$root"/man/*.1; do
    name=$(basename "$page" .1)
    # EXAMPLES lines, man escapes undone, continuation lines joined.
    awk '/^\.SH EXAMPLES/ { f = 1; next } /^\.SH / { f = 0 }
         /^#!/ { script = 1 } /^\.fi/ { script = 0 }
         f && !script && !/^\./' "$page" |
        sed -e 's/\\e/\\/g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" |
        awk '{ if (cont) { line = line "\n" $0 } else { line = $0 }
               cont = /\\$/ || /\|$/; if (!cont) print line "\x1e" }' RS='\n' ORS='' |
        tr '\036' '\0' >"$work/cmds"
    n=0
    while IFS= read -r -d '' cmd; do
        cmd=${cmd#$'\n'}
        case $cmd in
            crm-*|gzip*|zcat*|printf*) ;;
            *) continue ;;              # prose, cron lines, script bodies
        esac
        n=$((n + 1))
        if [[ $cmd == *../shared/data* || $cmd == *cdnow.crm* ]] && [ ! -d ../shared/data ]; then
            echo "skip $name example $n (no ../shared/data)"; continue
        fi
        if out=$(bash -o pipefail -c "$cmd" 2>&1 >/dev/null); then
            echo "ok $name example $n"
        else
            # `| head` may end a producer with SIGPIPE (141): that is how filters stop.
            rc=$?
            if [ $rc -eq 141 ]; then echo "ok $name example $n"; else
                echo "not ok $name example $n (exit $rc): $cmd"; printf '    %s\n' "$out" | head -5; fi
        fi
    done <"$work/cmds"
    [ $n -gt 0 ] || echo "not ok $name: no runnable examples"
done
