import { computed, onBeforeUnmount, ref } from 'vue'

/** Phone < 768px <= tablet < 992px <= desktop. */
export const PHONE_MAX = 767
export const DESKTOP_MIN = 992

const width = ref(typeof window === 'undefined' ? 1280 : window.innerWidth)
let listeners = 0
const onResize = () => {
  width.value = window.innerWidth
}

export function useBreakpoint() {
  if (typeof window !== 'undefined') {
    if (listeners++ === 0) window.addEventListener('resize', onResize, { passive: true })
    onBeforeUnmount(() => {
      if (--listeners === 0) window.removeEventListener('resize', onResize)
    })
    onResize()
  }
  const isPhone = computed(() => width.value <= PHONE_MAX)
  const isDesktop = computed(() => width.value >= DESKTOP_MIN)
  const isTablet = computed(() => !isPhone.value && !isDesktop.value)
  return { width, isPhone, isTablet, isDesktop }
}
