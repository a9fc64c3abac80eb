// The shop's settings as last read from or written to the server, shared by the settings
// tabs, the header (logo) and the audit log (time zone).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { currentLocale } from '@/i18n'
import { type Region, settingsApi, type SettingsSection, type ShopSettings } from '@/api/settings'

export const useSettingsStore = defineStore('settings', () => {
  const data = ref<ShopSettings | null>(null)
  const loading = ref(false)
  const error = ref<unknown>(null)
  const regions = ref<Region[] | null>(null)
  let pending: Promise<void> | null = null

  const profile = computed(() => data.value?.profile ?? null)
  const timeZone = computed(() => data.value?.profile.time_zone || 'Asia/Shanghai')
  const currency = computed(() => data.value?.profile.currency || 'CNY')

  function load(force = false): Promise<void> {
    if (data.value && !force) return Promise.resolve()
    pending ??= (async () => {
      loading.value = true
      error.value = null
      try {
        data.value = await settingsApi.get()
      } catch (e) {
        error.value = e
        throw e
      } finally {
        loading.value = false
        pending = null
      }
    })()
    return pending
  }

  async function loadRegions(): Promise<Region[]> {
    if (!regions.value) regions.value = (await settingsApi.regions()).items
    return regions.value
  }

  /** A province's name in the UI's language (GB/T 2260 code; the code itself until the list is read). */
  function provinceName(code: string): string {
    const r = regions.value?.find((x) => x.code === code)
    return r ? (currentLocale() === 'en' ? r.name_en : r.name_zh) : code
  }

  function setSection<K extends SettingsSection>(key: K, value: ShopSettings[K]): void {
    if (data.value) data.value = { ...data.value, [key]: value }
  }

  function reset(): void {
    data.value = null
    error.value = null
    pending = null
  }

  return { data, loading, error, regions, profile, timeZone, currency, load, loadRegions, provinceName, setSection, reset }
})
