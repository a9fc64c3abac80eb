// Bulk import / export jobs of the catalog: the small rules the dialogs share (which files are
// accepted, when a job is finished, how far it is). The server decides everything else.
import type { ExportFormat } from '@/api/http'
import type { JobStatus, JobView, ProductFilter, ProductQuery } from '@/api/catalog'

export const IMPORT_MAX_BYTES = 10 * 1024 * 1024
export const FINISHED: readonly JobStatus[] = ['succeeded', 'partial', 'failed']

export interface Invalid {
  key: string
  params?: Record<string, unknown>
}

/** The format of a chosen file by its name (the server checks the content again). */
export function importFormat(filename: string): ExportFormat | null {
  const ext = filename.toLowerCase().split('.').pop()
  return ext === 'csv' ? 'csv' : ext === 'xlsx' ? 'xlsx' : null
}

export function importFile(file: { name: string; size: number }): Invalid | null {
  if (!importFormat(file.name)) return { key: 'productJobs.badType' }
  if (file.size === 0) return { key: 'productJobs.emptyFile' }
  if (file.size > IMPORT_MAX_BYTES) return { key: 'productJobs.tooLarge', params: { mb: 10 } }
  return null
}

export function isFinished(job: Pick<JobView, 'status'>): boolean {
  return FINISHED.includes(job.status)
}

/** 0-100 for the progress bar; null while the size is unknown (exports, files not read yet). */
export function percent(job: Pick<JobView, 'status' | 'total' | 'processed'>): number | null {
  if (isFinished(job)) return 100
  if (!job.total) return null
  return Math.min(99, Math.floor((job.processed / job.total) * 100))
}

/** The list's query without paging: what an export of "the current filter" sends. */
export function exportFilter(query: ProductQuery): ProductFilter {
  const out: ProductFilter = {}
  for (const [k, v] of Object.entries(query) as [keyof ProductQuery, unknown][]) {
    if (k === 'limit' || k === 'cursor' || v === undefined || v === null || v === '') continue
    ;(out as Record<string, unknown>)[k] = v
  }
  return out
}
