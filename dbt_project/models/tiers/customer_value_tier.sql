-- Grading standard V1 (客户分级管理制度标准版) per spine customer, three indicators:
--   purchasing power (购买力, tier_code): NET spend over the trailing 12 months = the
--     RFM activity amount (purchase, premium, card_spend, service_fee; seed
--     transaction_type_roles.is_rfm_activity) minus the refunds of the same window
--     (money given back was not spent), seed value_tier_bands:
--     VIP / SENIOR 高级 / GENERAL 一般 / LOW_END 低端;
--   loyalty by purchase frequency (忠诚度): those transactions counted, seed
--     purchase_frequency_bands: HIGH / GENERAL / LOW;
--   business scope (业务范围): distinct product lines used in the trailing 12 months
--     (int_customer_product_lines_aggregated), seed business_scope_bands:
--     BROAD 广泛 / SPECIALISED 专业性 / GENERAL 一般.
-- Transactions are mandatory, so every customer is rated.
{{ tier_model(
    [
        {'scheme': 'value_tier', 'value': 'features.spend_12m',
         'measure_zh': '近12个月净消费金额（消费减退款）',
         'measure_en': 'Trailing 12-month net spend (spend minus refunds)'},
        {'scheme': 'purchase_frequency', 'value': 'features.purchase_count_12m',
         'measure_zh': '近12个月购买次数', 'verb': 'fall',
         'measure_en': 'Purchases in the trailing 12 months'},
        {'scheme': 'business_scope', 'value': 'features.product_line_count_12m',
         'measure_zh': '近12个月使用产品线数', 'verb': 'fall',
         'measure_en': 'Product lines used in the trailing 12 months'},
    ],
    inputs={
        'transaction_totals': 'int_customer_transactions_aggregated',
        'product_lines': 'int_customer_product_lines_aggregated',
    },
    columns=[
        'transaction_totals.activity_amount_12m - transaction_totals.refund_amount_12m'
        ~ ' as spend_12m',
        'transaction_totals.activity_amount_12m as gross_spend_12m',
        'transaction_totals.refund_amount_12m',
        'transaction_totals.activity_count_12m as purchase_count_12m',
        'product_lines.product_line_count_12m',
        'product_lines.product_lines_12m',
    ],
) }}
