// The shop's warehouses, loaded once per shop and shared by the stock, stocktake and purchasing
// pages (filters, names in tables, pickers). The warehouses page reloads it after a change.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { inventoryApi, type WarehouseView } from '@/api/inventory'
import { useSessionStore } from '@/stores/session'

export const useWarehousesStore = defineStore('warehouses', () => {
  const items = ref<WarehouseView[]>([])
  const loadedFor = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<unknown>(null)
  let pending: Promise<WarehouseView[]> | null = null

  const active = computed(() => items.value.filter((w) => w.active))

  async function load(force = false): Promise<WarehouseView[]> {
    const shop = useSessionStore().shopId
    if (!force && loadedFor.value === shop && items.value.length) return items.value
    pending ??= (async () => {
      loading.value = true
      try {
        const { items: found } = await inventoryApi.warehouses()
        items.value = found
        loadedFor.value = shop
        error.value = null
        return found
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

  function nameOf(warehouseId: string | null | undefined): string {
    if (!warehouseId) return ''
    return items.value.find((w) => w.id === warehouseId)?.name ?? warehouseId
  }

  return { items, active, loading, error, load, nameOf }
})
