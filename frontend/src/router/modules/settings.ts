// 店铺设置: the settings page and its tabs.
import type { RouteRecordRaw } from 'vue-router'
import { page } from '../page'

const tab = (title: string) => ({ permission: 'settings.view', title })

export default [
  {
    path: 'settings',
    component: () => import('@/pages/settings/SettingsPage.vue'),
    meta: { permission: 'settings.view', title: 'nav.settings' },
    children: [
      { path: '', name: 'settings', redirect: { name: 'settings-profile' } },
      page('profile', 'settings-profile', () => import('@/pages/settings/ProfileForm.vue'), tab('settings.tabs.profile')),
      page('payment-methods', 'settings-payment-methods', () => import('@/pages/settings/PaymentMethodsForm.vue'), tab('settings.tabs.paymentMethods')),
      page('delivery-regions', 'settings-delivery-regions', () => import('@/pages/settings/DeliveryRegionsForm.vue'), tab('settings.tabs.deliveryRegions')),
      page('business-hours', 'settings-business-hours', () => import('@/pages/settings/BusinessHoursForm.vue'), tab('settings.tabs.businessHours')),
      page('notifications', 'settings-notifications', () => import('@/pages/settings/NotificationsForm.vue'), tab('settings.tabs.notifications')),
      page('delivery-fee', 'settings-delivery-fee', () => import('@/pages/settings/DeliveryFeeForm.vue'), tab('settings.tabs.deliveryFee')),
      page('approvals', 'settings-approvals', () => import('@/pages/settings/ApprovalsForm.vue'), tab('settings.tabs.approvals')),
      page('order-review', 'settings-order-review', () => import('@/pages/settings/OrderReviewForm.vue'), tab('settings.tabs.orderReview')),
      page('order-timers', 'settings-order-timers', () => import('@/pages/settings/OrderTimersForm.vue'), tab('settings.tabs.orderTimers')),
    ],
  },
] satisfies RouteRecordRaw[]
