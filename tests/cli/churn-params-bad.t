# A malformed parameter file is a usage error naming the file and line.
cmd: printf 'model,parameter,value\nbgnbd,r,0.5\nbgnbd,alfa,3\n' > $T/p.csv && crm-churn --params $T/p.csv testdata/churn-edge.csv
status: 2
stderr: p\.csv:3: unknown bgnbd parameter "alfa"$
--- stdout
