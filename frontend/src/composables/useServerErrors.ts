// What every form does with an API refusal (settings sections, dialogs, the role editor, the
// profile page): the server's field errors under the matching form item, each gone once its
// field is edited, and the 409 "someone else changed it: reload?" question.
import { reactive, watch, type Ref } from 'vue'
import { t } from '@/i18n'
import { getPath } from '@/utils/objects'

/** Asks whether to reload a record someone else saved meanwhile; true = reload. */
export function askToReload(message: string): Promise<boolean> {
  return ElMessageBox.confirm(message, t('conflict.title'), {
    type: 'warning',
    confirmButtonText: t('conflict.reload'),
    cancelButtonText: t('conflict.keepEditing'),
    distinguishCancelAndClose: true,
  })
    .then(() => true)
    .catch(() => false)
}

/** `mapField` maps a server field path onto the form item that should show it. */
export function useServerErrors<F extends object>(form: Ref<F>, mapField?: (field: string) => string) {
  const serverErrors = reactive<Record<string, string>>({})
  /** The value each field had when its error came: an edit clears the error. */
  const valuesAtError = new Map<string, string>()

  function clear(): void {
    for (const key of Object.keys(serverErrors)) delete serverErrors[key]
    valuesAtError.clear()
  }

  /** Puts an ApiError's `fieldErrors` under their form items. */
  function show(fieldErrors: Record<string, string>): void {
    for (const [serverField, message] of Object.entries(fieldErrors)) {
      const field = mapField ? mapField(serverField) : serverField
      serverErrors[field] = serverErrors[field] ? `${serverErrors[field]}; ${message}` : message
      valuesAtError.set(field, JSON.stringify(getPath(form.value, field)))
    }
  }

  watch(
    form,
    () => {
      for (const [field, value] of valuesAtError) {
        if (JSON.stringify(getPath(form.value, field)) !== value) {
          delete serverErrors[field]
          valuesAtError.delete(field)
        }
      }
    },
    { deep: true },
  )

  /** The message to show under a form item (server side; client rules show their own). */
  const fieldError = (prop: string): string => serverErrors[prop] ?? ''

  return { serverErrors, clear, show, fieldError }
}
