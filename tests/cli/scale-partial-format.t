# a partial, byte for byte (docs/SCALE.md): options, the partition's identity (customers and
# the sum of crm_hash_stable of their ids), sorted runs, CRC-32; the fingerprint and the CRC
# were computed independently (Python: FNV-1a + finisher, zlib.crc32)
cmd: printf 'order_id,customer_id,order_time,amount\n1,a,2024-12-01,10.00\n2,b,2024-12-20,30.00\n3,a,2024-12-30,20.00\n' | crm-import -q | crm-rfm --scheme quintile --as-of 2025-01-01 --emit-partial -
stderr: ^crm-import: note: no status column: every row taken as paid
--- stdout
crmkit-partial 1 rfm-quintiles
option as-of 2025-01-01
option money-scale 2
option tz %
option window 365
option monetary avg
option net no
info customers 2
info fingerprint 3c9b30d5f91615e9
section r 2
-12 1
-2 1
section f 2
1 1
2 1
section m 2
1500 1
3000 1
end 4c0ad762
