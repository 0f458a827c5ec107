-- Insurer contribution tier (客户贡献度) per spine customer: what the customer
-- brought in minus what they cost over the trailing 12 months,
--   contribution_12m = purchase + premium + service_fee + fee_business - claim - refund
-- (signs from seed transaction_type_roles), banded by seed contribution_tier_bands.
{{ tier_model(
    [{'scheme': 'contribution_tier', 'value': 'features.contribution_12m',
      'measure_zh': '近12个月贡献', 'measure_en': 'Trailing 12-month contribution'}],
    inputs={'transaction_totals': 'int_customer_transactions_aggregated'},
    columns=[
        'transaction_totals.premium_amount_12m as premium_income',
        'transaction_totals.service_fee_amount_12m'
        ~ ' + transaction_totals.fee_business_amount_12m as service_income',
        'transaction_totals.purchase_amount_12m as purchase_amount',
        'transaction_totals.claim_amount_12m as claims_paid',
        'transaction_totals.refund_amount_12m as refunds',
        'transaction_totals.contribution_12m',
    ],
) }}
