// Polls a catalog job until it is finished (or the dialog is closed / unmounted).
import { onBeforeUnmount, ref } from 'vue'
import { catalogJobsApi, type JobView } from '@/api/catalog'
import { isFinished } from '@/utils/productJobs'

const POLL_MS = 1000

export function useJobPolling(onFinished?: (job: JobView) => void) {
  const job = ref<JobView | null>(null)
  const pollError = ref('')
  let timer: ReturnType<typeof setTimeout> | undefined
  let generation = 0

  function stop(): void {
    generation++
    clearTimeout(timer)
  }

  function follow(start: JobView): void {
    stop()
    const mine = generation
    job.value = start
    pollError.value = ''
    const tick = async () => {
      if (mine !== generation) return
      try {
        const now = await catalogJobsApi.job(start.id)
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
