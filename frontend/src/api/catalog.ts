// 商品: products, shelf changes, the category tree, product images and the bulk import / export
// jobs (functions/catalog/app.py, docs/catalog.md). Types come from the API's OpenAPI document
// (schema.d.ts).
import { api, postToBucket, type Body, type ExportFormat, type Query } from './http'
import type { JobView, ProductCreate, ProductSummary, ScheduleView, SkuView } from './schema'
import { newUuid } from '@/utils/uuid'

export type {
  CategoryNode,
  CategoryView,
  ImageView as ProductImage,
  JobView,
  /** What a save sends (a create; an update adds the version). */
  ProductCreate as ProductInput,
  ProductSummary,
  ProductView,
  ScheduleView as ShelfSchedule,
  ShelfResult,
  ShelfView,
  SkuInput,
  SkuView,
  SpecView,
} from './schema'
export type ProductStatus = ProductSummary['status']
export type StockState = ProductSummary['stock_state']
export type ShelfAction = ScheduleView['action']
export type ProductQuery = Query<'/products', 'get'>
/** The filter fields of GET /products that an export takes. */
export type ProductFilter = Omit<ProductQuery, 'limit' | 'cursor'>
export type SkuStatus = SkuView['status']
export type JobStatus = JobView['status']
export type ImportMode = NonNullable<JobView['mode']>
/** The picture types an upload may have (the page checks a file's type before it asks). */
export type ImageType = Body<'/products/{product_id}/image-uploads', 'post'>['content_type']

export const catalogApi = {
  list: (query: ProductQuery) => api.call('get', '/products', { query: { limit: 20, ...query } }),
  get: (productId: string) => api.call('get', '/products/{product_id}', { path: { product_id: productId } }),
  create: (body: ProductCreate, idempotencyKey: string) => api.call('post', '/products', { body, idempotencyKey }),
  /** Replaces content, specs and SKUs (a SKU keeps its id when the body names it). */
  update: (productId: string, body: Body<'/products/{product_id}', 'put'>) =>
    api.call('put', '/products/{product_id}', { path: { product_id: productId }, body }),
  remove: (productId: string) => api.call('delete', '/products/{product_id}', { path: { product_id: productId } }),
  /** On / off shelf now (no `at`) or at `at` (ISO-8601, within a year). */
  shelf: (productId: string, action: ShelfAction, at?: string) =>
    api.call('post', action === 'list' ? '/products/{product_id}/list' : '/products/{product_id}/delist', {
      path: { product_id: productId },
      body: at ? { at } : {},
    }),
  bulkShelf: (action: ShelfAction, ids: string[], at?: string) =>
    api.call('post', '/products/bulk-shelf', { body: at ? { action, ids, at } : { action, ids } }),
  categories: () => api.call('get', '/categories'),
  createCategory: (body: { name: string; parent_id: string | null }, idempotencyKey: string) =>
    api.call('post', '/categories', { body, idempotencyKey }),
  renameCategory: (categoryId: string, body: { name: string; version: number }) =>
    api.call('put', '/categories/{category_id}', { path: { category_id: categoryId }, body }),
  moveCategory: (categoryId: string, body: { parent_id: string | null; position?: number; version: number }) =>
    api.call('post', '/categories/{category_id}/move', { path: { category_id: categoryId }, body }),
  removeCategory: (categoryId: string) => api.call('delete', '/categories/{category_id}', { path: { category_id: categoryId } }),
  /** A presigned S3 POST for one image of an existing product (docs/catalog.md "Images"). */
  createImageUpload: (productId: string, contentType: ImageType, size: number) =>
    api.call('post', '/products/{product_id}/image-uploads', {
      path: { product_id: productId },
      body: { content_type: contentType, size },
      idempotencyKey: newUuid(),
    }),
  imageStatus: (productId: string, imageId: string) =>
    api.call('get', '/products/{product_id}/images/{image_id}', { path: { product_id: productId, image_id: imageId } }),
}

/** 商品批量导入/导出: jobs run by the server; poll `job` until it is finished (docs/catalog.md). */
export const catalogJobsApi = {
  template: (format: ExportFormat) =>
    api.call('get', '/products/import-template', { query: { format }, redirectOnForbidden: false }),
  startImport: (body: Body<'/products/imports', 'post'>, idempotencyKey: string) =>
    api.call('post', '/products/imports', { body, idempotencyKey }),
  startExport: (format: ExportFormat, filter: ProductFilter, idempotencyKey: string) =>
    api.call('post', '/products/exports', { body: { format, filter }, idempotencyKey }),
  job: (jobId: string) => api.call('get', '/products/jobs/{job_id}', { path: { job_id: jobId }, redirectOnForbidden: false }),
  list: (query: Query<'/products/jobs', 'get'> = {}) => api.call('get', '/products/jobs', { query: { limit: 20, ...query } }),
}

/** Starts an import job and posts the file to the bucket; the upload starts the job. */
export async function uploadImportFile(file: File, format: ExportFormat, mode: ImportMode, fetchImpl: typeof fetch = fetch): Promise<JobView> {
  const ticket = await catalogJobsApi.startImport({ format, mode, filename: file.name, size: file.size }, newUuid())
  await postToBucket(ticket.upload, file, fetchImpl)
  return ticket.job
}

/**
 * A product image: asks for a presigned POST, sends the file straight to the bucket and returns
 * the new image's id (then poll `catalogApi.imageStatus` until it is ready or rejected).
 */
export async function uploadProductImage(productId: string, file: File, fetchImpl: typeof fetch = fetch): Promise<string> {
  const ticket = await catalogApi.createImageUpload(productId, file.type as ImageType, file.size)
  await postToBucket(ticket.upload, file, fetchImpl)
  return ticket.image_id
}
