// 店铺设置: the settings page and its five tabs.
import type { RouteRecordRaw } from 'vue-router'

const tab = (path: string, name: string, page: () => Promise<unknown>, title: string): RouteRecordRaw => ({
  path,
  name,
  component: page,
  meta: { permission: 'settings.view', title },
})

export default [
  {
    path: 'settings',
    component: () => import('@/pages/settings/SettingsPage.vue'),
    meta: { permission: 'settings.view', title: 'nav.settings' },
    children: [
      { path: '', name: 'settings', redirect: { name: 'settings-profile' } },
      tab('profile', 'settings-profile', () => import('@/pages/settings/ProfileForm.vue'), 'settings.tabs.profile'),
      tab('payment-methods', 'settings-payment-methods', () => import('@/pages/settings/PaymentMethodsForm.vue'), 'settings.tabs.paymentMethods'),
      tab('delivery-regions', 'settings-delivery-regions', () => import('@/pages/settings/DeliveryRegionsForm.vue'), 'settings.tabs.deliveryRegions'),
      tab('business-hours', 'settings-business-hours', () => import('@/pages/settings/BusinessHoursForm.vue'), 'settings.tabs.businessHours'),
      tab('notifications', 'settings-notifications', () => import('@/pages/settings/NotificationsForm.vue'), 'settings.tabs.notifications'),
    ],
  },
] satisfies RouteRecordRaw[]
