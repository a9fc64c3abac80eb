// 库存 / 盘点 (docs/inventory.md): every page needs inventory.view.
import type { RouteRecordRaw } from 'vue-router'
import { page } from '../page'

const view = (title: string) => ({ permission: 'inventory.view', title })

export default [
  { path: 'inventory', redirect: { name: 'inventory-stock' } },
  page('inventory/stock', 'inventory-stock', () => import('@/pages/inventory/StockListPage.vue'), view('stock.title')),
  page('inventory/stock/:skuId', 'sku-stock', () => import('@/pages/inventory/SkuStockPage.vue'), view('stock.detailTitle'), true),
  page('inventory/warehouses', 'warehouses', () => import('@/pages/inventory/WarehousesPage.vue'), view('stock.tabs.warehouses')),
  page('stocktakes', 'stocktakes', () => import('@/pages/stocktake/StocktakeListPage.vue'), view('stocktake.title')),
  page('stocktakes/:id', 'stocktake', () => import('@/pages/stocktake/StocktakePage.vue'), view('stocktake.title'), true),
] satisfies RouteRecordRaw[]
