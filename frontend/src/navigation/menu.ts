// One table of the back office's capabilities: the menu, the routes of not-yet-built pages
// and the dashboard cards all read it. A menu item shows only with its permission.
import type { Component } from 'vue'
import {
  Box,
  Coin,
  DataAnalysis,
  Document,
  Finished,
  Goods,
  Menu as MenuIcon,
  HomeFilled,
  List,
  Promotion,
  Key,
  Setting,
  ShoppingCart,
  User,
  UserFilled,
  Van,
} from '@element-plus/icons-vue'

export interface MenuItem {
  /** Route name, and the key of its label under `nav.` in the locale files. */
  key: string
  path: string
  icon: Component
  /** Permission needed to see the item and open the page; none = everyone signed in. */
  permission?: string
  /** true when the page is built; false shows an honest "coming soon" page. */
  ready: boolean
}

export const MENU: readonly MenuItem[] = [
  { key: 'dashboard', path: '/', icon: HomeFilled, ready: true },
  { key: 'products', path: '/products', icon: Goods, permission: 'catalog.view', ready: true },
  { key: 'categories', path: '/categories', icon: MenuIcon, permission: 'catalog.view', ready: true },
  { key: 'orders', path: '/orders', icon: List, permission: 'orders.view', ready: true },
  { key: 'inventory', path: '/inventory', icon: Box, permission: 'inventory.view', ready: true },
  { key: 'stocktakes', path: '/stocktakes', icon: Finished, permission: 'inventory.view', ready: true },
  { key: 'purchasing', path: '/purchasing', icon: ShoppingCart, permission: 'purchasing.view', ready: true },
  { key: 'customers', path: '/customers', icon: User, permission: 'customers.view', ready: false },
  { key: 'marketing', path: '/marketing', icon: Promotion, permission: 'marketing.view', ready: false },
  { key: 'logistics', path: '/logistics', icon: Van, permission: 'logistics.view', ready: false },
  { key: 'finance', path: '/finance', icon: Coin, permission: 'finance.view', ready: false },
  { key: 'reports', path: '/reports', icon: DataAnalysis, permission: 'analytics.view', ready: false },
  { key: 'staff', path: '/staff', icon: UserFilled, permission: 'staff.view', ready: true },
  { key: 'roles', path: '/roles', icon: Key, permission: 'roles.view', ready: true },
  { key: 'settings', path: '/settings', icon: Setting, permission: 'settings.view', ready: true },
  { key: 'audit', path: '/audit', icon: Document, permission: 'audit.view', ready: true },
]

export function isPermitted(permission: string | undefined, permissions: ReadonlySet<string> | readonly string[]): boolean {
  if (!permission) return true
  const set = permissions instanceof Set ? permissions : new Set(permissions as readonly string[])
  return set.has(permission)
}

/** The items this user may see, in menu order. */
export function visibleMenu(items: readonly MenuItem[], permissions: ReadonlySet<string> | readonly string[]): MenuItem[] {
  return items.filter((item) => isPermitted(item.permission, permissions))
}

/** Which menu item a route path belongs to (`/settings/profile` -> settings). */
export function activeMenuKey(items: readonly MenuItem[], path: string): string | undefined {
  let best: MenuItem | undefined
  for (const item of items) {
    const match = item.path === '/' ? path === '/' : path === item.path || path.startsWith(`${item.path}/`)
    if (match && (!best || item.path.length > best.path.length)) best = item
  }
  return best?.key
}
