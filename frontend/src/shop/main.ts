// The storefront (buyer side, phone first): Vue + Vant, its own i18n and router, the shared API
// client configured with the buyer's session.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { client } from './api'
import { currentLocale, i18n, t } from './i18n'
import { router } from './router'
import { useBuyerStore } from './stores'
import './shop.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router)
document.documentElement.lang = currentLocale()

const buyer = useBuyerStore(pinia)
client.configure({
  prepare: () => buyer.prepare(),
  idToken: () => buyer.token,
  shopId: () => null,
  locale: currentLocale,
  refresh: () => buyer.refresh(),
  onUnauthorized: () => {
    buyer.token = null
    const shopId = buyer.shopId
    const here = router.currentRoute.value
    if (shopId && here.name !== 'signin') void router.push({ name: 'signin', params: { shopId }, query: { redirect: here.fullPath } })
  },
  onForbidden: () => undefined,
  fallbackMessage: (kind, status) => (kind === 'network' ? t('common.loadFailed') : `${t('common.loadFailed')} (${status})`),
})

app.mount('#app')
