// The one way an action on a record runs (disable, reset a password, remove, delete, archive,
// approve, cancel...): ask first when it cannot be undone, mark the record busy while the
// request runs, show the failure; a 404 means someone else removed the record meanwhile, so the
// page drops it instead of keeping a ghost.
import { ref } from 'vue'
import { ApiError } from '@/api/http'
import { showError } from '@/composables/useDialogForm'
import { t } from '@/i18n'

export interface Question {
  message: string
  title: string
  /** The confirm button's text (the action's name). */
  confirm: string
  /** A red confirm button: the action destroys or locks out something. */
  danger?: boolean
}

/** Asks the question; true when the user confirmed (false on cancel or close). */
export function ask(question: Question): Promise<boolean> {
  return ElMessageBox.confirm(question.message, question.title, {
    type: 'warning',
    confirmButtonText: question.confirm,
    cancelButtonText: t('common.cancel'),
    confirmButtonClass: question.danger ? 'el-button--danger' : undefined,
  })
    .then(() => true)
    .catch(() => false)
}

export interface ActionOptions<R> {
  /** Asked first; declining does nothing. */
  ask?: Question
  /** Shown when the action succeeded. */
  success?: string | ((result: R) => string)
  /** The record is gone (404): drop it from the page. */
  gone?: () => void
  /** The record changed meanwhile or its state does not allow this any more (409): read it again. */
  stale?: () => void
  /**
   * A refusal the user must read (e.g. `role_in_use`: who still holds the role): the server's
   * message in a box titled `title` instead of a passing message, then `after`.
   */
  explain?: { code: string; title: string; after?: () => void }
}

export function useConfirmedAction() {
  /** The id of the record whose action is running (its buttons are disabled meanwhile). */
  const busyId = ref<string | null>(null)

  /** Runs `act` for the record `id`; its result, or undefined when declined or failed. */
  async function run<R>(id: string, act: () => Promise<R>, options: ActionOptions<R> = {}): Promise<R | undefined> {
    if (options.ask && !(await ask(options.ask))) return undefined
    busyId.value = id
    try {
      const result = await act()
      const success = typeof options.success === 'function' ? options.success(result) : options.success
      if (success) ElMessage.success(success)
      return result
    } catch (e) {
      const explain = options.explain
      if (explain && e instanceof ApiError && e.code === explain.code) {
        await ElMessageBox.alert(e.message, explain.title, { type: 'warning', confirmButtonText: t('common.confirm') }).catch(() => undefined)
        explain.after?.()
        return undefined
      }
      showError(e)
      if (e instanceof ApiError && e.status === 404) options.gone?.()
      if (e instanceof ApiError && e.status === 409) options.stale?.()
      return undefined
    } finally {
      busyId.value = null
    }
  }

  return { busyId, run }
}
