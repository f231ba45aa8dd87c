# bash completion for the crmkit tools (crm-import, crm-rfm, crm-segment, crm-pareto,
# crm-churn, crm-cohort, crm-campaign, crm-basket). Options come from each tool's own --help, so they never drift from it.
# Installed by `make install` into share/bash-completion/completions/; or: source this file.

_crmkit_options()
{
    local cmd=$1 var=_crmkit_opts_${1//-/_}
    if [ -z "${!var}" ]; then
        printf -v "$var" '%s' "$("$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ')"
    fi
    printf '%s' "${!var}"
}

_crmkit()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[0]##*/}
    local words=
    case $prev in
        --preset) words="cdnow uci-online-retail shopify woocommerce jd pinduoduo taobao" ;;
        --encoding) words="auto utf-8 gb18030 gbk latin1" ;;
        --delimiter) words=", ; | tab space" ;;
        --order-amount) words="sum once" ;;
        --line-items) words="sorted unsorted" ;;
        --money-scale) words="0 1 2 3 4 5 6" ;;
        --partition-key) words="customer" ;;
        --map) words="order_id= customer_id= order_time= amount= quantity= unit_price= status= currency= refunded_amount= phone= product_id= product_name= category=" ;;
        --status) words="paid= cancelled= refunded= pending= refunded-order=" ;;
        --scheme) words="seed quintile" ;;
        --monetary) words="avg total" ;;
        --window) words="365 all" ;;
        --as-of|--on) words="today" ;;
        --by) [ "$cmd" = crm-pareto ] && words="monetary frequency" || words="class segment vip" ;;
        --period) words="month week quarter" ;;
        --metric) words="customers retention revenue orders cum-revenue" ;;
        --holdout) words="0.1 0.2 0.5" ;;
        --reasons) words="birthday after-7d after-28d vip-expiring win-back replenish" ;;
        --max-size) words="2 3" ;;
        --model) words="bgnbd mbgnbd" ;;
        --method) words="model rules" ;;
        --format) words="csv tsv xlsx" ;;
        --unit) words="week day" ;;
        --tz)
            COMPREPLY=($(cd /usr/share/zoneinfo 2>/dev/null && compgen -f -- "$cur"))
            return ;;
    esac
    if [ -n "$words" ]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
        [ "${COMPREPLY[0]: -1}" = "=" ] && compopt -o nospace 2>/dev/null
        return
    fi
    if [ "$cmd" = crm-campaign ] && [ "$COMP_CWORD" = 1 ]; then
        COMPREPLY=($(compgen -W "split measure" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_crmkit_options "${COMP_WORDS[0]}")" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}

complete -o filenames -F _crmkit crm-import crm-rfm crm-segment crm-pareto crm-churn \
    crm-cohort crm-campaign crm-basket
