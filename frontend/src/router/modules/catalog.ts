// 商品: the product list and editor, and the category tree.
import type { RouteRecordRaw } from 'vue-router'
import { page } from '../page'

const editor = () => import('@/pages/products/ProductEditorPage.vue')

export default [
  page('products', 'products', () => import('@/pages/products/ProductListPage.vue'), { permission: 'catalog.view', title: 'nav.products' }),
  page('products/new', 'product-new', editor, { permission: 'catalog.create', title: 'products.editor.newTitle' }),
  page('products/:id', 'product-edit', editor, { permission: 'catalog.view', title: 'products.editor.editTitle' }, true),
  page('categories', 'categories', () => import('@/pages/categories/CategoriesPage.vue'), { permission: 'catalog.view', title: 'nav.categories' }),
] satisfies RouteRecordRaw[]
