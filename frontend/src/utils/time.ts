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

/** Milliseconds the zone is ahead of UTC at that instant. */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(utcMs))
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'))
  return asUtc - Math.floor(utcMs / 1000) * 1000
}

/** Midnight starting "2026-01-01" in the zone, as an ISO UTC time ("2025-12-31T16:00:00.000Z"). */
export function zonedDayStart(date: string, timeZone = 'Asia/Shanghai'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const wall = Date.UTC(y, m - 1, d)
  let zone = timeZone
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
  } catch {
    zone = 'UTC'
  }
  // Twice: the offset at the guessed instant may differ from the one at the answer (DST).
  let utc = wall - zoneOffsetMs(wall, zone)
  utc = wall - zoneOffsetMs(utc, zone)
  return new Date(utc).toISOString()
}

/** "2026-01-31" + 1 -> "2026-02-01". */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}
