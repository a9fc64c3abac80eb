// What the small create/edit forms (in dialogs and on the role editor) share with the settings
// forms: a working copy, client rules first, the server's field errors on the matching item
// (gone once that field is edited), its other errors as a message, and the 409 "someone else
// changed it" question for records saved with a version.
import { ref, type Ref } from 'vue'
import type { FormInstance } from 'element-plus'
import { ApiError } from '@/api/http'
import { t } from '@/i18n'
import { clone, stableStringify } from '@/utils/objects'
import { askToReload, useServerErrors } from './useServerErrors'

export interface DialogFormOptions<F extends object> {
  initial: () => F
  formRef: Ref<FormInstance | undefined>
  /** Maps a server field path onto the form item that should show it. */
  mapField?: (field: string) => string
  /** A stale version (409 version_conflict): reload the record into the form when the user agrees. */
  reload?: () => Promise<void>
}

/** The message of an API error, or the generic one. */
export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : t('errors.unexpected')
}

/** A 401 that ended the session (the client has sent the user to sign in): nothing to show here. */
const sessionEnded = (e: ApiError) => e.status === 401 && e.code !== 'invalid_credentials'

/** Shows an action's failure (disable, remove, ...) as a message. */
export function showError(e: unknown): void {
  if (e instanceof ApiError && sessionEnded(e)) return
  ElMessage.error(errorText(e))
}

export function useDialogForm<F extends object>(options: DialogFormOptions<F>) {
  const form = ref(options.initial()) as Ref<F>
  const original = ref('')
  const saving = ref(false)
  const { serverErrors, clear: clearServerErrors, show: showFieldErrors, fieldError } = useServerErrors(form, options.mapField)

  /** Starts editing these values (a new record when none are given). */
  function load(values?: Partial<F>): void {
    form.value = { ...options.initial(), ...(values ? clone(values) : {}) }
    original.value = stableStringify(form.value)
    clearServerErrors()
    options.formRef.value?.clearValidate()
  }

  const isDirty = () => original.value !== '' && stableStringify(form.value) !== original.value

  async function handleError(e: unknown): Promise<void> {
    if (!(e instanceof ApiError)) {
      ElMessage.error(t('errors.unexpected'))
      return
    }
    if (sessionEnded(e)) return
    if (e.status === 409 && e.code === 'version_conflict' && options.reload) {
      if (await askToReload(t('conflict.recordMessage'))) await options.reload().catch(showError)
      return
    }
    showFieldErrors(e.fieldErrors)
    ElMessage.error(e.message)
  }

  /** Validates, then runs `save`; its result, or undefined when it did not happen. */
  async function submit<R>(save: (form: F) => Promise<R>): Promise<R | undefined> {
    if (saving.value) return undefined
    clearServerErrors()
    const valid = await (options.formRef.value?.validate().catch(() => false) ?? Promise.resolve(true))
    if (!valid) {
      ElMessage.error(t('validation.checkFields'))
      return undefined
    }
    saving.value = true
    try {
      const result = await save(form.value)
      original.value = stableStringify(form.value)
      return result
    } catch (e) {
      await handleError(e)
      return undefined
    } finally {
      saving.value = false
    }
  }

  return { form, saving, serverErrors, load, isDirty, submit, fieldError, handleError }
}
