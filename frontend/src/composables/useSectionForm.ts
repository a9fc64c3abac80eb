// What every settings form shares: a working copy of one section, a dirty flag, client
// validation, saving with the section's version, server errors on the right field, the 409
// "someone else changed it" dialog, and a warning before leaving unsaved changes.
import { computed, onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { onBeforeRouteLeave } from 'vue-router'
import type { FormInstance } from 'element-plus'
import { ApiError } from '@/api/http'
import type { SettingsSection, ShopSettings } from '@/api/settings'
import { t } from '@/i18n'
import { useSettingsStore } from '@/stores/settings'
import { useSessionStore } from '@/stores/session'
import { clone, stableStringify } from '@/utils/objects'
import { askToReload, useServerErrors } from './useServerErrors'

export interface SectionFormOptions<K extends SettingsSection, F extends object> {
  section: K
  toForm: (section: ShopSettings[K]) => F
  /** The PUT body without `version` (added here). */
  toBody: (form: F) => Record<string, unknown>
  save: (body: Record<string, unknown> & { version: number }) => Promise<ShopSettings[K]>
  /** The el-form (SettingsForm binds the one this creates when left out). */
  formRef?: Ref<FormInstance | undefined>
  /** Extra validation that element-plus rules cannot express; return false to stop saving. */
  validate?: (form: F) => boolean
  /** Maps a server field path onto the form item that should show it. */
  mapField?: (field: string) => string
}

export function useSectionForm<K extends SettingsSection, F extends object>(options: SectionFormOptions<K, F>) {
  const store = useSettingsStore()
  const session = useSessionStore()
  const form = ref({} as F) as Ref<F>
  const original = ref('')
  const saving = ref(false)
  const { serverErrors, clear: clearServerErrors, show: showFieldErrors, fieldError } = useServerErrors(form, options.mapField)
  const canEdit = computed(() => session.can('settings.edit'))
  const formRef = options.formRef ?? ref<FormInstance>()

  const section = computed(() => store.data?.[options.section] ?? null)
  const dirty = computed(
    () => original.value !== '' && section.value !== null && stableStringify(options.toBody(form.value)) !== original.value,
  )

  function reset(): void {
    if (!section.value) return
    form.value = options.toForm(clone(section.value))
    original.value = stableStringify(options.toBody(form.value))
    clearServerErrors()
    formRef.value?.clearValidate()
  }

  // New data from the server replaces the working copy unless the user is editing it.
  watch(
    section,
    () => {
      if (!dirty.value) reset()
    },
    { immediate: true },
  )

  async function submit(): Promise<boolean> {
    if (saving.value || !section.value) return false
    clearServerErrors()
    const valid = await (formRef.value?.validate().catch(() => false) ?? Promise.resolve(true))
    if (!valid || (options.validate && !options.validate(form.value))) {
      ElMessage.error(t('validation.checkFields'))
      return false
    }
    saving.value = true
    try {
      const updated = await options.save({ ...options.toBody(form.value), version: section.value.version })
      store.setSection(options.section, updated)
      reset()
      ElMessage.success(t('common.saved'))
      return true
    } catch (e) {
      await handleError(e)
      return false
    } finally {
      saving.value = false
    }
  }

  async function handleError(e: unknown): Promise<void> {
    if (!(e instanceof ApiError)) {
      ElMessage.error(t('errors.unexpected'))
      return
    }
    if (e.status === 409) {
      if (await askToReload(t('conflict.message'))) {
        await store.load(true).catch(() => undefined)
        reset()
      }
      return
    }
    if (e.status === 401) return // the client already sent the user to sign in
    showFieldErrors(e.fieldErrors)
    ElMessage.error(e.message)
  }

  useUnsavedChangesGuard(dirty)

  return { form, formRef, dirty, saving, canEdit, section, serverErrors, submit, reset, fieldError }
}

/** Asks before leaving a dirty form, in the app (route change) and the browser (reload, close). */
export function useUnsavedChangesGuard(dirty: Ref<boolean>): void {
  onBeforeRouteLeave(async () => {
    if (!dirty.value) return true
    return ElMessageBox.confirm(t('dirty.message'), t('dirty.title'), {
      type: 'warning',
      confirmButtonText: t('dirty.leave'),
      cancelButtonText: t('dirty.stay'),
    })
      .then(() => true)
      .catch(() => false)
  })
  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (dirty.value) {
      event.preventDefault()
      event.returnValue = ''
    }
  }
  window.addEventListener('beforeunload', beforeUnload)
  onBeforeUnmount(() => window.removeEventListener('beforeunload', beforeUnload))
}
