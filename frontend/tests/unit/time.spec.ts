import { describe, expect, it } from 'vitest'
import { addDays, formatDateTime, timeZoneNames, zonedDayStart } from '@/utils/time'

describe('formatDateTime', () => {
  it('shows UTC instants in the shop time zone', () => {
    expect(formatDateTime('2026-01-01T00:00:00Z', 'Asia/Shanghai')).toBe('2026-01-01 08:00:00')
    expect(formatDateTime('2026-01-01T00:00:00Z', 'America/New_York')).toBe('2025-12-31 19:00:00')
    expect(formatDateTime('2026-06-30T16:30:05.123Z', 'Asia/Shanghai')).toBe('2026-07-01 00:30:05')
  })
  it('falls back to UTC for an unknown zone and leaves junk alone', () => {
    expect(formatDateTime('2026-01-01T00:00:00Z', 'Nowhere/Nothing')).toBe('2026-01-01 00:00:00')
    expect(formatDateTime('not a date')).toBe('not a date')
  })
})

describe('timeZoneNames', () => {
  it('puts Asia/Shanghai first and lists no zone twice', () => {
    const zones = timeZoneNames()
    expect(zones[0]).toBe('Asia/Shanghai')
    expect(new Set(zones).size).toBe(zones.length)
  })
})

describe('zonedDayStart (audit date filter, sent as UTC)', () => {
  it('is the midnight of the day in the shop zone', () => {
    expect(zonedDayStart('2026-01-01', 'Asia/Shanghai')).toBe('2025-12-31T16:00:00.000Z')
    expect(zonedDayStart('2026-01-01', 'UTC')).toBe('2026-01-01T00:00:00.000Z')
    expect(zonedDayStart('2026-07-01', 'America/New_York')).toBe('2026-07-01T04:00:00.000Z')
    expect(zonedDayStart('2026-01-15', 'America/New_York')).toBe('2026-01-15T05:00:00.000Z')
  })
  it('handles the day a clock changes and unknown zones', () => {
    // New York moves to summer time at 02:00 on 2026-03-08: midnight is still EST.
    expect(zonedDayStart('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z')
    expect(zonedDayStart('2026-03-09', 'America/New_York')).toBe('2026-03-09T04:00:00.000Z')
    expect(zonedDayStart('2026-01-01', 'Nowhere/Nothing')).toBe('2026-01-01T00:00:00.000Z')
  })
  it('makes an inclusive last day exclusive with addDays', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
  })
})
