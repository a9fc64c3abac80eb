// The export dialogs' state (products, orders): the chosen format, starting the server's export
// job and polling it until it is finished; closing stops the polling. Errors go to a toast.
import { computed, ref, type Ref } from 'vue'
import type { ExportFormat } from '@/api/http'
import type { JobView } from '@/api/catalog'
import { showError } from '@/composables/useDialogForm'
import { useJobPolling } from '@/composables/useJobPolling'
import { isFinished } from '@/utils/productJobs'
import { newUuid } from '@/utils/uuid'

type AnyJob = Pick<JobView, 'id' | 'status'>

export function useExportJob<J extends AnyJob>(
  begin: (format: ExportFormat, idempotencyKey: string) => Promise<J>,
  read?: (id: string) => Promise<J>,
) {
  const { job, follow, stop } = useJobPolling<J>(undefined, read)
  const format = ref<ExportFormat>('xlsx')
  const starting = ref(false)
  const running = computed(() => !!job.value && !isFinished(job.value))

  async function start(): Promise<void> {
    starting.value = true
    try {
      follow(await begin(format.value, newUuid()))
    } catch (e) {
      showError(e)
    } finally {
      starting.value = false
    }
  }

  function close(open: Ref<boolean>): void {
    stop()
    open.value = false
    job.value = null
  }

  return { job, format, starting, running, start, close }
}
