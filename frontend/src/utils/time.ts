/** "2026-01-01T00:00:00Z" in "Asia/Shanghai" -> "2026-01-01 08:00:00". */
export function formatDateTime(iso: string, timeZone = 'Asia/Shanghai'): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  let parts: Intl.DateTimeFormatPart[]
  try {
    parts = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(d)
  } catch {
    return formatDateTime(iso, 'UTC')
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`
}

/** IANA zone names the browser knows, Asia/Shanghai first. */
export function timeZoneNames(): string[] {
  const preferred = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'UTC']
  let all: string[] = []
  try {
    all = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone')
  } catch {
    all = []
  }
  return [...preferred, ...all.filter((z) => !preferred.includes(z))]
}
