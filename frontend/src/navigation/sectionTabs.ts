// The tabs inside a menu entry: 库存 (stock list, warehouses) and 采购 (orders, suppliers,
// suggestions). Route names of router/index.ts; labels are i18n keys.
export const INVENTORY_TABS = [
  { name: 'inventory-stock', label: 'stock.tabs.stock' },
  { name: 'warehouses', label: 'stock.tabs.warehouses' },
] as const

export const PURCHASING_TABS = [
  { name: 'purchase-orders', label: 'purchasing.tabs.orders' },
  { name: 'suppliers', label: 'purchasing.tabs.suppliers' },
  { name: 'purchase-suggestions', label: 'purchasing.tabs.suggestions' },
] as const
