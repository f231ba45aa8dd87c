# SPEC 13.1: one stray quote near the end swallowed the last lines as a single reject under the 1 % rate (exit 0); now every swallowed line counts
cmd: crm-import testdata/stray-quote.csv -o "$T/x.crm"
status: 1
stderr: 1000 rows read, 989 orders accepted, none written .* 11 rejected \(11 unterminated quote\)
stderr: rejected testdata/stray-quote.csv:991: unterminated quote starting at line 991 \(11 lines swallowed
stderr: over --max-reject-rate
--- stdout
