import { describe, expect, it } from 'vitest'
import { formatDateTime, timeZoneNames } from '@/utils/time'

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
