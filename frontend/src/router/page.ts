// One line per page in the route modules: `page(path, name, () => import(...), meta)`.
import type { RouteComponent, RouteMeta, RouteRecordRaw } from 'vue-router'

type Lazy = () => Promise<RouteComponent | { default: RouteComponent }>

/** A page of the admin layout; `withParams` passes the path's params to the page as props. */
export function page(path: string, name: string, component: Lazy, meta: RouteMeta, withParams = false): RouteRecordRaw {
  return { path, name, component, meta, props: withParams }
}
