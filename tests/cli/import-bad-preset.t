# an unknown preset is a usage error naming the known ones
cmd: crm-import --preset amazon -o "$T/x.crm" testdata/sample-orders.csv
status: 2
stderr: ^crm-import: --preset amazon: unknown preset \(known: cdnow, uci-online-retail, shopify, woocommerce, jd, pinduoduo, taobao\)
