// 库存 / 盘点 (docs/inventory.md): every page needs inventory.view.
import type { RouteRecordRaw } from 'vue-router'

export default [
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
  { path: 'stocktakes', name: 'stocktakes', component: () => import('@/pages/stocktake/StocktakeListPage.vue'), meta: { permission: 'inventory.view', title: 'stocktake.title' } },
  {
    path: 'stocktakes/:id',
    name: 'stocktake',
    component: () => import('@/pages/stocktake/StocktakePage.vue'),
    props: true,
    meta: { permission: 'inventory.view', title: 'stocktake.title' },
  },
] satisfies RouteRecordRaw[]
