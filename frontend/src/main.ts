import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'dayjs/locale/zh-cn'
import App from './App.vue'
import { router } from './router'
import { currentLocale, i18n, t } from './i18n'
import { api } from './api/http'
import { useSessionStore } from './stores/session'
import { useSettingsStore } from './stores/settings'
import { useAccessStore } from './stores/access'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router)

const session = useSessionStore(pinia)
const settings = useSettingsStore(pinia)
const access = useAccessStore(pinia)

api.configure({
  prepare: () => session.ensureFreshToken(),
  idToken: () => session.idToken(),
  shopId: () => session.shopId,
  locale: () => currentLocale(),
  refresh: () => session.refresh(),
  onUnauthorized: () => {
    const here = router.currentRoute.value
    session.clear()
    settings.reset()
    access.reset()
    if (!here.meta.public) {
      ElMessage.warning(t('errors.sessionExpired'))
      void router.replace({ name: 'sign-in', query: { redirect: here.fullPath } })
    }
  },
  onForbidden: () => {
    const here = router.currentRoute.value
    if (here.name !== 'forbidden') void router.replace({ name: 'forbidden', query: { from: here.fullPath } })
  },
  fallbackMessage: (kind, status) =>
    kind === 'network' ? t('errors.network') : kind === 'server' ? t('errors.server', { status }) : t('errors.unknown', { status }),
})

document.documentElement.lang = currentLocale()
app.mount('#app')
