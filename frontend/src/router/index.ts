import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { MENU } from '@/navigation/menu'
import { useSessionStore } from '@/stores/session'
import { t } from '@/i18n'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** Permission the page needs; without it the user sees the 403 page. */
    permission?: string
    /** i18n key of the page title. */
    title?: string
  }
}

const comingSoon: RouteRecordRaw[] = MENU.filter((item) => !item.ready).map((item) => ({
  path: item.path.slice(1),
  name: item.key,
  component: () => import('@/pages/ComingSoonPage.vue'),
  props: { capability: item.key },
  meta: { permission: item.permission, title: `nav.${item.key}` },
}))

export const routes: RouteRecordRaw[] = [
  {
    path: '/sign-in',
    name: 'sign-in',
    component: () => import('@/pages/SignInPage.vue'),
    meta: { public: true, title: 'auth.signIn' },
  },
  {
    path: '/new-password',
    name: 'new-password',
    component: () => import('@/pages/NewPasswordPage.vue'),
    meta: { public: true, title: 'auth.newPasswordTitle' },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: () => import('@/pages/ForgotPasswordPage.vue'),
    meta: { public: true, title: 'auth.forgotTitle' },
  },
  {
    path: '/',
    component: () => import('@/layouts/AdminLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('@/pages/DashboardPage.vue'), meta: { title: 'nav.dashboard' } },
      {
        path: 'settings',
        component: () => import('@/pages/settings/SettingsPage.vue'),
        meta: { permission: 'settings.view', title: 'nav.settings' },
        children: [
          { path: '', name: 'settings', redirect: { name: 'settings-profile' } },
          {
            path: 'profile',
            name: 'settings-profile',
            component: () => import('@/pages/settings/ProfileForm.vue'),
            meta: { permission: 'settings.view', title: 'settings.tabs.profile' },
          },
          {
            path: 'payment-methods',
            name: 'settings-payment-methods',
            component: () => import('@/pages/settings/PaymentMethodsForm.vue'),
            meta: { permission: 'settings.view', title: 'settings.tabs.paymentMethods' },
          },
          {
            path: 'delivery-regions',
            name: 'settings-delivery-regions',
            component: () => import('@/pages/settings/DeliveryRegionsForm.vue'),
            meta: { permission: 'settings.view', title: 'settings.tabs.deliveryRegions' },
          },
          {
            path: 'business-hours',
            name: 'settings-business-hours',
            component: () => import('@/pages/settings/BusinessHoursForm.vue'),
            meta: { permission: 'settings.view', title: 'settings.tabs.businessHours' },
          },
          {
            path: 'notifications',
            name: 'settings-notifications',
            component: () => import('@/pages/settings/NotificationsForm.vue'),
            meta: { permission: 'settings.view', title: 'settings.tabs.notifications' },
          },
        ],
      },
      {
        path: 'staff',
        name: 'staff',
        component: () => import('@/pages/staff/StaffPage.vue'),
        meta: { permission: 'staff.view', title: 'nav.staff' },
      },
      {
        path: 'roles',
        name: 'roles',
        component: () => import('@/pages/roles/RolesPage.vue'),
        meta: { permission: 'roles.view', title: 'nav.roles' },
      },
      {
        path: 'roles/new',
        name: 'role-new',
        component: () => import('@/pages/roles/RoleEditorPage.vue'),
        meta: { permission: 'roles.create', title: 'rolesPage.newTitle' },
      },
      {
        path: 'roles/:code',
        name: 'role-edit',
        component: () => import('@/pages/roles/RoleEditorPage.vue'),
        props: true,
        meta: { permission: 'roles.view', title: 'nav.roles' },
      },
      {
        path: 'account',
        name: 'account',
        component: () => import('@/pages/AccountPage.vue'),
        meta: { title: 'account.title' },
      },
      {
        // Every member's own notifications: no permission beyond being a member of the shop.
        path: 'notifications',
        name: 'notifications',
        component: () => import('@/pages/NotificationsPage.vue'),
        meta: { title: 'notifications.title' },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('@/pages/AuditLogPage.vue'),
        meta: { permission: 'audit.view', title: 'nav.audit' },
      },
      {
        path: 'products',
        name: 'products',
        component: () => import('@/pages/products/ProductListPage.vue'),
        meta: { permission: 'catalog.view', title: 'nav.products' },
      },
      {
        path: 'products/new',
        name: 'product-new',
        component: () => import('@/pages/products/ProductEditorPage.vue'),
        meta: { permission: 'catalog.create', title: 'products.editor.newTitle' },
      },
      {
        path: 'products/:id',
        name: 'product-edit',
        component: () => import('@/pages/products/ProductEditorPage.vue'),
        props: true,
        meta: { permission: 'catalog.view', title: 'products.editor.editTitle' },
      },
      {
        path: 'categories',
        name: 'categories',
        component: () => import('@/pages/categories/CategoriesPage.vue'),
        meta: { permission: 'catalog.view', title: 'nav.categories' },
      },
      // 库存 / 盘点 / 采购 (docs/inventory.md, docs/purchasing.md): inventory pages need inventory.view, purchasing pages purchasing.view.
      { path: 'inventory', redirect: { name: 'inventory-stock' } },
      {
        path: 'inventory/stock',
        name: 'inventory-stock',
        component: () => import('@/pages/inventory/StockListPage.vue'),
        meta: { permission: 'inventory.view', title: 'stock.title' },
      },
      {
        path: 'inventory/stock/:skuId',
        name: 'sku-stock',
        component: () => import('@/pages/inventory/SkuStockPage.vue'),
        props: true,
        meta: { permission: 'inventory.view', title: 'stock.detailTitle' },
      },
      {
        path: 'inventory/warehouses',
        name: 'warehouses',
        component: () => import('@/pages/inventory/WarehousesPage.vue'),
        meta: { permission: 'inventory.view', title: 'stock.tabs.warehouses' },
      },
      {
        path: 'stocktakes',
        name: 'stocktakes',
        component: () => import('@/pages/stocktake/StocktakeListPage.vue'),
        meta: { permission: 'inventory.view', title: 'stocktake.title' },
      },
      {
        path: 'stocktakes/:id',
        name: 'stocktake',
        component: () => import('@/pages/stocktake/StocktakePage.vue'),
        props: true,
        meta: { permission: 'inventory.view', title: 'stocktake.title' },
      },
      { path: 'purchasing', redirect: { name: 'purchase-orders' } },
      {
        path: 'purchasing/orders',
        name: 'purchase-orders',
        component: () => import('@/pages/purchasing/PurchaseOrderListPage.vue'),
        meta: { permission: 'purchasing.view', title: 'purchasing.title' },
      },
      {
        path: 'purchasing/orders/new',
        name: 'purchase-order-new',
        component: () => import('@/pages/purchasing/PurchaseOrderEditorPage.vue'),
        meta: { permission: 'purchasing.create', title: 'purchasing.editor.newTitle' },
      },
      {
        path: 'purchasing/orders/:id',
        name: 'purchase-order',
        component: () => import('@/pages/purchasing/PurchaseOrderDetailPage.vue'),
        props: true,
        meta: { permission: 'purchasing.view', title: 'purchasing.detailTitle' },
      },
      {
        path: 'purchasing/orders/:id/edit',
        name: 'purchase-order-edit',
        component: () => import('@/pages/purchasing/PurchaseOrderEditorPage.vue'),
        props: true,
        meta: { permission: 'purchasing.edit', title: 'purchasing.editor.editTitle' },
      },
      {
        path: 'purchasing/suppliers',
        name: 'suppliers',
        component: () => import('@/pages/purchasing/SuppliersPage.vue'),
        meta: { permission: 'purchasing.view', title: 'purchasing.tabs.suppliers' },
      },
      {
        path: 'purchasing/suggestions',
        name: 'purchase-suggestions',
        component: () => import('@/pages/purchasing/SuggestionsPage.vue'),
        meta: { permission: 'purchasing.view', title: 'purchasing.tabs.suggestions' },
      },
      ...comingSoon,
      { path: '403', name: 'forbidden', component: () => import('@/pages/ForbiddenPage.vue'), meta: { title: 'forbidden.title' } },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/pages/NotFoundPage.vue'),
        meta: { title: 'notFound.title' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  const session = useSessionStore()
  if (to.meta.public) {
    if (to.name === 'sign-in' && session.isSignedIn) return { name: 'dashboard' }
    return true
  }
  if (!session.isSignedIn) {
    return { name: 'sign-in', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (!session.me) {
    try {
      await session.loadMe()
    } catch {
      // 401 after a failed refresh has already cleared the session.
      if (!session.isSignedIn) return { name: 'sign-in', query: { redirect: to.fullPath } }
      return true // the layout shows the load error and a retry
    }
  }
  const needed = to.matched.map((r) => r.meta.permission).filter(Boolean) as string[]
  if (!needed.every((p) => session.can(p))) {
    return { name: 'forbidden', query: { from: to.fullPath } }
  }
  return true
})

export function pageTitle(titleKey: string | undefined): string {
  return titleKey ? `${t(titleKey)} · ShopDesk` : 'ShopDesk'
}

router.afterEach((to) => {
  document.title = pageTitle(to.meta.title)
})
