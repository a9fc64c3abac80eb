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

// Each capability's pages (router/modules/<capability>.ts, each a default-exported list of
// routes under the admin layout), merged here as vue-vben-admin merges its route modules.
const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./modules/*.ts', { eager: true })
export const capabilityRoutes: RouteRecordRaw[] = Object.keys(modules)
  .sort()
  .flatMap((file) => modules[file]!.default)

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
      ...capabilityRoutes,
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
