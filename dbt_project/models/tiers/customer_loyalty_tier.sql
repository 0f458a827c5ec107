-- Loyalty tier (客户忠诚度 高/中/低) per spine customer from the weighted loyalty
-- score (int_customer_loyalty_scored, bands in seed loyalty_tier_bands), with the
-- RFM scores and segment (int_customer_rfm_scored) beside it.
{{ tier_model(
    [{'scheme': 'loyalty_tier', 'value': 'features.loyalty_score',
      'measure_zh': '忠诚度得分', 'measure_en': 'Loyalty score'}],
    inputs={'loyalty': 'int_customer_loyalty_scored', 'rfm': 'int_customer_rfm_scored'},
) }}
