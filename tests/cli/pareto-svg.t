# --svg writes a well-formed, self-contained SVG (xmllint from libxml2-utils, installed by
# scripts/setup-deps) beside the report: root svg, the title, one bar per customer (10),
# the cumulative line, the three axis titles (the two y titles again in the legend: 5),
# the key figures (top 20 % = 110/190, Gini 0.426) and where the line crosses 80 %:
# 152 = 100 + 5.2 × 10, 6.2 of 10 customers. No script, style sheet, image or link.
cmd: crm-pareto --as-of 2024-06-01 --summary --svg "$T/c.svg" testdata/pareto-small.csv >/dev/null && xmllint --noout "$T/c.svg" && for x in "name(/*)" "string(/*/*[local-name()='title'])" "count(//*[local-name()='g'][@fill='#4472c4']/*[local-name()='rect'])" "count(//*[local-name()='polyline'])" "string(//*[local-name()='text'][starts-with(., '10 customers')])" "string(//*[local-name()='text'][contains(., 'hold 80%')])" "count(//*[local-name()='text'][.='Customers ranked by revenue, highest first' or .='Revenue per customer' or .='Cumulative share of revenue'])" "count(//*[local-name()='script' or local-name()='style' or local-name()='image' or local-name()='a' or local-name()='foreignObject'] | //@*[local-name()='href'])"; do xmllint --xpath "$x" "$T/c.svg"; done
stderr-empty
--- stdout
svg
Pareto chart: revenue by customer
10
1
10 customers · total revenue 190.00 · top 20% of customers hold 57.9% · Gini 0.426
62.0% of customers hold 80% of revenue
5
0
