# a chart whose write fails (a full disk) is an I/O failure naming the file; no report
cmd: crm-pareto --summary --svg /dev/full testdata/pareto-small.csv
status: 1
stderr: ^crm-pareto: /dev/full: writing the chart: No space left on device
--- stdout
