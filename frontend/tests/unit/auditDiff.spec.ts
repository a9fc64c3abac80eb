import { describe, expect, it } from 'vitest'
import { diffAuditEntry } from '@/utils/auditDiff'

describe('diffAuditEntry', () => {
  it('shows a changed scalar as before -> after', () => {
    expect(diffAuditEntry(['name'], { name: '旧店名' }, { name: '新店名' })).toEqual([
      { kind: 'change', path: ['name'], before: '旧店名', after: '新店名' },
    ])
  })

  it('names list items by their code and shows only the leaves that changed', () => {
    const before = {
      methods: [
        { code: 'alipay', enabled: false, settings: { merchant_id: '', fee_rate_bp: 60 } },
        { code: 'wechat_pay', enabled: false, settings: { merchant_id: '', fee_rate_bp: 60 } },
      ],
    }
    const after = {
      methods: [
        { code: 'alipay', enabled: true, settings: { merchant_id: '2088123456789012', fee_rate_bp: 60 } },
        { code: 'wechat_pay', enabled: false, settings: { merchant_id: '', fee_rate_bp: 60 } },
      ],
    }
    expect(diffAuditEntry(['methods'], before, after)).toEqual([
      { kind: 'change', path: ['methods', 'alipay', 'enabled'], before: false, after: true },
      { kind: 'change', path: ['methods', 'alipay', 'settings', 'merchant_id'], before: '', after: '2088123456789012' },
    ])
  })

  it('shows lists of codes as added and removed', () => {
    expect(diffAuditEntry(['provinces'], { provinces: ['110000', '310000'] }, { provinces: ['310000', '440000'] })).toEqual([
      { kind: 'set', path: ['provinces'], added: ['440000'], removed: ['110000'] },
    ])
  })

  it('keys weekdays and closed days', () => {
    const lines = diffAuditEntry(
      ['weekly', 'closed_days'],
      { weekly: [{ weekday: 7, closed: false, open: '09:00', close: '18:00' }], closed_days: [] },
      { weekly: [{ weekday: 7, closed: true, open: '09:00', close: '18:00' }], closed_days: [{ date: '2026-12-25', reason: '圣诞' }] },
    )
    expect(lines).toEqual([
      { kind: 'change', path: ['weekly', '7', 'closed'], before: false, after: true },
      { kind: 'set', path: ['closed_days'], added: ['2026-12-25 圣诞'], removed: [] },
    ])
  })

  it('describes removed and changed closed days', () => {
    const lines = diffAuditEntry(
      ['closed_days'],
      { closed_days: [{ date: '2026-02-17', reason: '春节' }, { date: '2026-10-01', reason: '' }] },
      { closed_days: [{ date: '2026-10-01', reason: '国庆' }] },
    )
    expect(lines).toEqual([
      { kind: 'set', path: ['closed_days'], added: [], removed: ['2026-02-17 春节'] },
      { kind: 'change', path: ['closed_days', '2026-10-01', 'reason'], before: '', after: '国庆' },
    ])
  })

  it('falls back to the keys of before/after when changed is empty, ignoring version', () => {
    expect(diffAuditEntry([], { name: 'a', version: 1 }, { name: 'b', version: 2 })).toEqual([
      { kind: 'change', path: ['name'], before: 'a', after: 'b' },
    ])
  })

  it('still lists a field the server says changed even with no values', () => {
    expect(diffAuditEntry(['logo_key'], null, null)).toEqual([{ kind: 'change', path: ['logo_key'], before: undefined, after: undefined }])
  })
})
