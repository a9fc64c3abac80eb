// Polls a job (shared/jobs.py on the server: catalog imports/exports, order exports) until it is
// finished (or the dialog is closed / unmounted). `read` fetches the job: the catalog's by default.
import { onBeforeUnmount, ref, type Ref } from 'vue'
import { catalogJobsApi, type JobView } from '@/api/catalog'
import { isFinished } from '@/utils/productJobs'

const POLL_MS = 1000

type AnyJob = Pick<JobView, 'id' | 'status'>

export function useJobPolling<J extends AnyJob = JobView>(
  onFinished?: (job: J) => void,
  read: (id: string) => Promise<J> = catalogJobsApi.job as unknown as (id: string) => Promise<J>,
) {
  const job = ref<J | null>(null) as Ref<J | null>
  const pollError = ref('')
  let timer: ReturnType<typeof setTimeout> | undefined
  let generation = 0

  function stop(): void {
    generation++
    clearTimeout(timer)
  }

  function follow(start: J): void {
    stop()
    const mine = generation
    job.value = start
    pollError.value = ''
    const tick = async () => {
      if (mine !== generation) return
      try {
        const now = await read(start.id)
        if (mine !== generation) return
        job.value = now
        pollError.value = ''
        if (isFinished(now)) {
          onFinished?.(now)
          return
        }
      } catch (e) {
        pollError.value = e instanceof Error ? e.message : String(e)
      }
      timer = setTimeout(tick, POLL_MS)
    }
    timer = setTimeout(tick, POLL_MS)
  }

  onBeforeUnmount(stop)
  return { job, pollError, follow, stop }
}
