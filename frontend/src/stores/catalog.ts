// The category tree (read by the product list, the editor and the categories page) and the
// products saved in this tab a moment ago: lists and search are an eventually consistent
// index, so a product just saved is shown from here until the index has caught up.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { catalogApi, type CategoryNode, type ProductSummary } from '@/api/catalog'

/** How long a saved product overrides what the index says. */
const RECENT_MS = 60_000

export interface TreeOption {
  value: string
  label: string
  children?: TreeOption[]
  disabled?: boolean
}

export function toTreeOptions(nodes: readonly CategoryNode[], disabled?: (node: CategoryNode) => boolean): TreeOption[] {
  return nodes.map((n) => ({
    value: n.id,
    label: n.name,
    disabled: disabled?.(n) ?? false,
    children: n.children.length ? toTreeOptions(n.children, disabled) : undefined,
  }))
}

/** Every node, depth first, in display order. */
export function flattenTree(nodes: readonly CategoryNode[]): CategoryNode[] {
  return nodes.flatMap((n) => [n, ...flattenTree(n.children)])
}

/** Levels below and including the node (a leaf is 1). */
export function subtreeHeight(node: CategoryNode): number {
  return 1 + Math.max(0, ...node.children.map(subtreeHeight))
}

export const useCatalogStore = defineStore('catalog', () => {
  const tree = ref<CategoryNode[] | null>(null)
  const treeVersion = ref(0)
  let pending: Promise<void> | null = null

  async function loadCategories(force = false): Promise<void> {
    if (tree.value && !force) return
    if (pending && !force) return pending
    pending = catalogApi
      .categories()
      .then((t) => {
        tree.value = t.items
        treeVersion.value = t.version
      })
      .finally(() => {
        pending = null
      })
    return pending
  }

  const byId = computed(() => new Map(flattenTree(tree.value ?? []).map((n) => [n.id, n])))

  /** "服装 / 女装 / 连衣裙". */
  function categoryPath(id: string | null | undefined): string {
    const names: string[] = []
    let node = id ? byId.value.get(id) : undefined
    while (node && names.length < 5) {
      names.unshift(node.name)
      node = node.parent_id ? byId.value.get(node.parent_id) : undefined
    }
    return names.join(' / ')
  }

  const recent = ref(new Map<string, { product: ProductSummary | null; at: number }>())

  function remember(product: ProductSummary): void {
    recent.value.set(product.id, { product, at: Date.now() })
  }

  function forget(id: string): void {
    recent.value.set(id, { product: null, at: Date.now() })
  }

  /** The freshest view of one page of the index: replaces stale rows, drops deleted ones. */
  function overlay(items: readonly ProductSummary[]): ProductSummary[] {
    const now = Date.now()
    const out: ProductSummary[] = []
    for (const item of items) {
      const r = recent.value.get(item.id)
      if (!r || now - r.at > RECENT_MS) out.push(item)
      else if (r.product) out.push(r.product.version >= item.version ? { ...item, ...r.product } : item)
    }
    return out
  }

  /** Products saved a moment ago that the index may not list yet (newest first). */
  function freshlySaved(): ProductSummary[] {
    const now = Date.now()
    return [...recent.value.values()]
      .filter((r) => r.product && now - r.at <= RECENT_MS)
      .sort((a, b) => b.at - a.at)
      .map((r) => r.product!)
  }

  return { tree, treeVersion, loadCategories, byId, categoryPath, remember, forget, overlay, freshlySaved }
})
