// 店铺设置: the shop's settings sections, the region list and the logo upload
// (functions/settings/app.py). Types come from the API's OpenAPI document (schema.d.ts).
import { api, postToBucket, type Body } from './http'
import type { PaymentMethodsView, ProfileView, SettingsView } from './schema'
import { newUuid } from '@/utils/uuid'

export type {
  ApprovalSettingsView as ApprovalSettings,
  BusinessHoursView as BusinessHours,
  DeliveryFeeView as DeliveryFee,
  ClosedDayOutput as ClosedDay,
  DayHoursOutput as WeeklyHours,
  DeliveryRegionsView as DeliveryRegions,
  NotificationSettingsView as NotificationSettings,
  OrderReviewView as OrderReview,
  OrderTimersView as OrderTimers,
  PaymentMethodsView as PaymentMethods,
  ProfileView as ShopProfile,
  Region,
  SettingsView as ShopSettings,
  TopicChannelsOutput as TopicChannels,
} from './schema'
export type SettingsSection = keyof SettingsView
export type Currency = ProfileView['currency']
export type PaymentMethod = PaymentMethodsView['methods'][number]
export type PaymentMethodCode = PaymentMethod['code']
/** The logo types an upload may have (the form checks a file's type before it asks). */
export type LogoType = Body<'/settings/logo-uploads', 'post'>['content_type']

/** The order the currency picker shows (the API's enum, checked against it). */
export const CURRENCIES = ['CNY', 'HKD', 'MOP', 'TWD', 'USD', 'EUR', 'JPY', 'GBP', 'SGD'] as const satisfies readonly Currency[]
export const PAYMENT_METHOD_CODES = [
  'alipay',
  'wechat_pay',
  'stripe',
  'unionpay',
  'bank_transfer',
  'cash_on_delivery',
] as const satisfies readonly PaymentMethodCode[]

export const settingsApi = {
  get: () => api.call('get', '/settings'),
  regions: () => api.call('get', '/settings/regions'),
  putProfile: (body: Body<'/settings/profile', 'put'>) => api.call('put', '/settings/profile', { body }),
  putPaymentMethods: (body: Body<'/settings/payment-methods', 'put'>) => api.call('put', '/settings/payment-methods', { body }),
  putDeliveryRegions: (body: Body<'/settings/delivery-regions', 'put'>) => api.call('put', '/settings/delivery-regions', { body }),
  putBusinessHours: (body: Body<'/settings/business-hours', 'put'>) => api.call('put', '/settings/business-hours', { body }),
  putNotifications: (body: Body<'/settings/notifications', 'put'>) => api.call('put', '/settings/notifications', { body }),
  putApprovals: (body: Body<'/settings/approvals', 'put'>) => api.call('put', '/settings/approvals', { body }),
  putDeliveryFee: (body: Body<'/settings/delivery-fee', 'put'>) => api.call('put', '/settings/delivery-fee', { body }),
  putOrderReview: (body: Body<'/settings/order-review', 'put'>) => api.call('put', '/settings/order-review', { body }),
  putOrderTimers: (body: Body<'/settings/order-timers', 'put'>) => api.call('put', '/settings/order-timers', { body }),
  createLogoUpload: (contentType: LogoType, size: number) =>
    api.call('post', '/settings/logo-uploads', { body: { content_type: contentType, size }, idempotencyKey: newUuid() }),
}

/** Sends the logo straight to the bucket with the presigned POST the API handed out; returns its key. */
export async function uploadLogoFile(file: File, fetchImpl: typeof fetch = fetch): Promise<string> {
  const ticket = await settingsApi.createLogoUpload(file.type as LogoType, file.size)
  await postToBucket(ticket.upload, file, fetchImpl)
  return ticket.key
}
