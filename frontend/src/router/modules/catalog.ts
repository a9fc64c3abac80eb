// 商品: the product list and editor, and the category tree.
import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: 'products', name: 'products', component: () => import('@/pages/products/ProductListPage.vue'), meta: { permission: 'catalog.view', title: 'nav.products' } },
  {
    path: 'products/new',
    name: 'product-new',
    component: () => import('@/pages/products/ProductEditorPage.vue'),
    meta: { permission: 'catalog.create', title: 'products.editor.newTitle' },
  },
  {
    path: 'products/:id',
    name: 'product-edit',
    component: () => import('@/pages/products/ProductEditorPage.vue'),
    props: true,
    meta: { permission: 'catalog.view', title: 'products.editor.editTitle' },
  },
  { path: 'categories', name: 'categories', component: () => import('@/pages/categories/CategoriesPage.vue'), meta: { permission: 'catalog.view', title: 'nav.categories' } },
] satisfies RouteRecordRaw[]
