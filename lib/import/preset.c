/* preset: the tables behind import's knowledge of real exports (see preset.h). Tables and
 * pure functions only: nothing here changes after start-up. */
#include "import/preset.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* To add a column name, add it to the field's '|' list; to add an export, add a row. */
static const struct crm_preset presets[] = {
    {"cdnow", P_CDNOW, {0}, NULL, NULL, NULL},
    {"uci-online-retail", P_UCI,
     {"InvoiceNo|Invoice", "CustomerID|Customer ID", "InvoiceDate", NULL, "Quantity",
      "UnitPrice|Price", NULL, NULL, NULL, NULL, "StockCode", "Description", NULL},
     "%m/%d/%Y %H:%M", NULL, "StockCode|Description|InvoiceDate|Quantity"},
    /* Admin > Orders > Export: one row per line item; order fields on the first only */
    {"shopify", P_EMAIL | P_GUEST,
     {"Name|Order Name|Order", "Email|Customer Email", "Created at|Paid at", "Total",
      "Lineitem quantity", NULL, "Financial Status", "Currency", "Refunded Amount",
      "Phone|Billing Phone|Shipping Phone", "Lineitem sku", "Lineitem name", NULL},
     NULL,
     "paid=paid,partially_refunded;pending=pending,authorized,partially_paid;"
     "cancelled=voided,expired;refunded-order=refunded",
     "Name|Email|Financial Status|Lineitem quantity"},
    /* WooCommerce Customer/Order CSV Export (default and one-row-per-item formats) */
    {"woocommerce", P_EMAIL | P_GUEST,
     {"order_number|order_id|Order ID|Order Number|Order #", "billing_email|Billing Email|Email",
      "order_date|date|Order Date|Date", "order_total|Order Total|Total|Net Sales",
      "item_quantity|Item Quantity|Items sold", NULL, "status|order_status|Order Status|Status",
      "order_currency|currency|Currency", "refunded_total|order_refund|Refunded|Refund Amount",
      "billing_phone|Billing Phone|Phone"},
     NULL,
     "paid=completed,processing,wc-completed,wc-processing;"
     "pending=pending,on-hold,wc-pending,wc-on-hold,checkout-draft;"
     "cancelled=cancelled,failed,wc-cancelled,wc-failed;refunded-order=refunded,wc-refunded",
     "order_number|billing_email|order_total"},
    /* 京东商家后台 订单导出: one row per item, the order total on each */
    {"jd", P_ONCE,
     {"订单号|订单编号", "下单帐号|下单账号|客户账号|用户账号|客户姓名", "下单时间|订单时间",
      "订单金额|应付金额|结算金额", "订购数量|商品数量", NULL, "订单状态", NULL, NULL,
      "联系电话|客户电话"},
     NULL,
     "paid=完成,已完成,等待出库,等待确认收货,等待发货,已出库,等待收货,配送退货,锁定;"
     "pending=等待付款,等待付款确认,暂停;cancelled=已取消,取消,订单取消;"
     "refunded-order=退款成功,已退款",
     "订单号|下单时间|订单金额|订购数量"},
    /* 拼多多商家后台 订单查询 导出 */
    {"pinduoduo", P_NONE,
     {"订单号|订单编号", "买家ID|用户ID|收货人手机号|手机|收货人电话|收货人",
      "订单创建时间|订单成交时间|支付时间|拼单成功时间",
      "用户实付金额(元)|用户实付金额|商家实收金额(元)|商品总价(元)",
      "商品数量(件)|商品数量", NULL, "订单状态", NULL, NULL, NULL},
     NULL,
     "paid=已发货，待收货,已发货,待收货,已收货,待发货,已签收,交易成功,已完成;"
     "pending=待支付,未支付,待付款,拼团中;cancelled=已取消,交易已取消,未发货，退款成功;"
     "refunded-order=已发货，退款成功,退款成功,已退款",
     "订单号|订单状态|用户实付金额(元)"},
    /* 淘宝/天猫 卖家中心 订单报表 */
    {"taobao", P_NONE,
     {"订单编号|订单号", "买家会员名|买家账号|买家昵称|会员名", "订单创建时间|下单时间",
      "买家实际支付金额|实付金额|实际支付金额", "宝贝总数量|商品数量", NULL, "订单状态", NULL,
      NULL, NULL},
     NULL, "paid=部分退款", NULL},
};

/* Generic names, in priority order, compared after normalising (lower case, no spaces,
 * '_', '-' or '.'). */
const char *const crm_preset_generic[CRM_F_COUNT] = {
    "orderid|orderno|ordernumber|order|invoiceno|invoice|invoicenumber|transactionid|"
    "订单编号|订单号|订单id|主订单编号|name",
    "customerid|customer|customerno|customernumber|customercode|clientid|client|userid|"
    "buyerid|buyer|memberid|member|email|customeremail|billingemail|买家会员名|买家账号|"
    "会员名|客户编号|客户id|客户|买家id|买家昵称|用户id|会员id|买家|用户名|下单帐号|下单账号",
    "ordertime|orderdate|orderdatetime|createdat|created|purchasetime|purchasedate|"
    "invoicedate|datetime|timestamp|date|time|paidat|订单创建时间|下单时间|创建时间|订单时间|"
    "成交时间|订单成交时间|支付时间|日期|时间",
    "amount|ordertotal|totalamount|total|orderamount|paidamount|amountpaid|revenue|sales|"
    "value|dollarvalue|买家实际支付金额|实付金额|实际支付金额|支付金额|订单金额|应付金额|"
    "用户实付金额(元)|用户实付金额|总金额|金额|实收款",
    "quantity|qty|items|itemcount|numberofcds|cds|lineitemquantity|数量|宝贝总数量|商品数量|"
    "商品数量(件)|购买数量|订购数量|件数",
    "unitprice|price|lineitemprice|单价|价格|商品单价",
    "status|orderstatus|financialstatus|state|订单状态|交易状态|状态",
    "currency|currencycode|币种|货币",
    "refundedamount",   /* Shopify's, whose Total stays gross; others only by a preset or
                           --map: Tmall reports' 买家实际支付金额 is already net of 退款金额 */
    NULL,   /* phone: only by a preset or --map (a phone column is not a customer id) */
    "productid|sku|stockcode|lineitemsku|productcode|itemcode|itemid|articleid|"
    "商品编码|商家编码|商品id|商品编号|货号|宝贝id",
    "productname|lineitemname|itemname|description|商品名称|宝贝标题|商品标题",
    "category|productcategory|categoryname|商品类目|类目|品类",
};

const struct crm_preset *crm_preset_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (strcmp(presets[i].name, name) == 0)
            return &presets[i];
    return NULL;
}

int crm_import_preset_known(const char *name)
{
    return crm_preset_find(name) != NULL;
}

const char *crm_import_preset_list(void)
{
    return "cdnow, uci-online-retail, shopify, woocommerce, jd, pinduoduo, taobao";
}

/* Edit distance between two short ASCII names (0..31 bytes), for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[32];
    if (la > 31 || lb > 31)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t sub = diag + (tolower((unsigned char)a[i - 1]) != (unsigned char)b[j - 1]);
            size_t best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[lb];
}

const char *crm_import_nearest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3, wl = strlen(word);          /* at most two edits */
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, names[i]);
        size_t nl = strlen(names[i]);
        if ((wl >= 4 && strncmp(names[i], word, wl) == 0) ||
            (nl >= 4 && strncmp(word, names[i], nl) == 0))
            d = 1;                                  /* one starts the other */
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

const char *crm_import_preset_suggest(const char *name)
{
    const char *best = NULL;
    size_t best_d = 3;               /* at most two edits, or a prefix of 3+ letters */
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        size_t d = edit_distance(name, presets[i].name);
        if (strlen(name) >= 3 && strncasecmp(name, presets[i].name, strlen(name)) == 0)
            d = 1;
        if (d < best_d) {
            best_d = d;
            best = presets[i].name;
        }
    }
    return best;
}

size_t crm_preset_normalise(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t')
            continue;
        out[n++] = (char)(c < 0x80 ? tolower(c) : c);
    }
    out[n] = '\0';
    return n;
}

const struct crm_preset *crm_preset_at(size_t i)
{
    return i < sizeof presets / sizeof presets[0] ? &presets[i] : NULL;
}

/* Built-in status texts, "status=text,...;..." (ASCII compared without case). */
const char crm_preset_statuses[] =
    "paid=paid,completed,complete,success,succeeded,successful,fulfilled,shipped,delivered,"
    "sale,交易成功,部分退款,已完成,完成,等待出库,等待确认收货,等待发货,已出库,已付款,已发货,"
    "已签收,已收货,买家已付款，等待卖家发货,"
    "卖家已发货，等待买家确认,待发货,待收货;"
    "cancelled=cancelled,canceled,cancel,voided,void,failed,declined,交易关闭,已取消,已关闭,取消;"
    "refunded=refunded,refund,returned,return,退款,已退货,退货;"
    "pending=pending,unpaid,awaiting payment,on-hold,on hold,等待买家付款,待付款,未付款,"
    "等待付款;"
    "refunded-order=退款成功,已退款,交易关闭(退款)";
