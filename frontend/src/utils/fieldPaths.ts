// Where a server field error belongs in our forms, when its path is not the form item's prop.

const METHOD_TAG = /^(methods\.\d+)\.(alipay|wechat_pay|stripe|unionpay|bank_transfer|cash_on_delivery)(?=\.|$)/

/**
 * Payment methods are a tagged union on the server, so its paths name the method
 * (methods.0.alipay.settings.merchant_id); "enabled but not filled in" comes on the
 * method itself (methods.0.alipay). Our props have no tag.
 */
export function paymentMethodField(field: string): string {
  return field.replace(METHOD_TAG, '$1')
}

/** "Closing before opening" comes on the whole day (weekly.3): show it on the closing time. */
export function businessHoursField(field: string): string {
  return /^weekly\.\d+$/.test(field) ? `${field}.close` : field
}
