// The storefront's pages, in hash mode like the admin (no server rewrites on S3 or the local
// gateway): /shop/#/<shop_id>/..., e.g. /shop/#/shp_demo/products/<id>. Pages marked `tab` show
// the bottom tab bar; `signIn` pages send a signed-out buyer to sign in first.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { useBuyerStore } from './stores'

declare module 'vue-router' {
  interface RouteMeta {
    tab?: boolean
    signIn?: boolean
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'picker', component: () => import('./pages/ShopPickerPage.vue') },
  {
    path: '/:shopId',
    component: () => import('./ShopLayout.vue'),
    props: true,
    children: [
      { path: '', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { tab: true } },
      { path: 'category/:categoryId?', name: 'category', component: () => import('./pages/CategoryPage.vue'), meta: { tab: true }, props: true },
      { path: 'search', name: 'search', component: () => import('./pages/SearchPage.vue') },
      { path: 'products/:productId', name: 'product', component: () => import('./pages/ProductPage.vue'), props: true },
      { path: 'cart', name: 'cart', component: () => import('./pages/CartPage.vue'), meta: { tab: true } },
      { path: 'me', name: 'me', component: () => import('./pages/MePage.vue'), meta: { tab: true } },
      { path: 'signin', name: 'signin', component: () => import('./pages/SignInPage.vue') },
      { path: 'addresses', name: 'addresses', component: () => import('./pages/AddressesPage.vue'), meta: { signIn: true } },
      { path: 'checkout', name: 'checkout', component: () => import('./pages/CheckoutPage.vue'), meta: { signIn: true } },
      { path: 'orders', name: 'orders', component: () => import('./pages/OrdersPage.vue'), meta: { signIn: true } },
      { path: 'orders/:orderId', name: 'order', component: () => import('./pages/OrderPage.vue'), meta: { signIn: true }, props: true },
      { path: 'order-requests/:requestId', name: 'order-request', component: () => import('./pages/OrderRequestPage.vue'), meta: { signIn: true }, props: true },
    ],
  },
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

router.beforeEach(async (to) => {
  const shopId = typeof to.params.shopId === 'string' ? to.params.shopId : ''
  if (!shopId) return true
  const buyer = useBuyerStore()
  await buyer.enter(shopId)
  if (to.meta.signIn && !buyer.signedIn) return { name: 'signin', params: { shopId }, query: { redirect: to.fullPath } }
  return true
})
