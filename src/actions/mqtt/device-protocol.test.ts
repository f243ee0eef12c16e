import { describe, expect, it } from 'vitest';
import { ackTopic, assertDeviceId, commandTopic, encodeAck, encodeCommand, parseAck, parseCommand } from './device-protocol.ts';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('device protocol', () => {
  it('builds topics from valid device ids only', () => {
    expect(commandTopic('signal-cq.spb_01')).toBe('cityloop/devices/signal-cq.spb_01/commands');
    expect(ackTopic('s1')).toBe('cityloop/devices/s1/acks');
    for (const bad of ['a/b', '#', '+', 'a+b', 'x#', '', 'a'.repeat(65), 'sp ace', '信号灯', '../x']) {
      expect(() => commandTopic(bad), bad).toThrow(/device id must be/);
    }
    expect(() => assertDeviceId(42)).toThrow(/got 42/);
    expect(() => assertDeviceId('a'.repeat(64))).not.toThrow();
  });

  it('round-trips a command without the device id in the payload', () => {
    const payload = encodeCommand({ commandId: 'c1', deviceId: 's1', name: 'set_phase', params: { phase: 'red' }, caseId: 'case-9', issuedAt: '2026-01-05T01:00:00.000Z' });
    expect(JSON.parse(payload)).toEqual({ commandId: 'c1', name: 'set_phase', params: { phase: 'red' }, caseId: 'case-9', issuedAt: '2026-01-05T01:00:00.000Z' });
    expect(parseCommand('cityloop/devices/s1/commands', bytes(payload))).toEqual({
      deviceId: 's1', commandId: 'c1', name: 'set_phase', params: { phase: 'red' }, caseId: 'case-9', issuedAt: '2026-01-05T01:00:00.000Z',
    });
    expect(parseCommand('cityloop/devices/s1/acks', bytes(payload))).toBeNull();
    expect(parseCommand('cityloop/devices/s1/commands', bytes('{"commandId":"c1"}'))).toBeNull();
  });

  it('reads acks and says why a message is not one', () => {
    expect(parseAck('cityloop/devices/s1/acks', bytes(encodeAck({ commandId: 'c1', ok: true })))).toEqual({
      valid: true, ack: { deviceId: 's1', commandId: 'c1', ok: true, detail: null },
    });
    expect(parseAck('cityloop/devices/s1/acks', bytes('{"commandId":"c1","ok":false,"detail":"lamp fault"}'))).toEqual({
      valid: true, ack: { deviceId: 's1', commandId: 'c1', ok: false, detail: 'lamp fault' },
    });
    const invalid: [string, string][] = [
      ['cityloop/devices/s1/acks', 'not json'],
      ['cityloop/devices/s1/acks', '[1,2]'],
      ['cityloop/devices/s1/acks', 'null'],
      ['cityloop/devices/s1/acks', '{"ok":true}'],
      ['cityloop/devices/s1/acks', '{"commandId":"c1"}'],
      ['cityloop/devices/s1/acks', '{"commandId":"c1","ok":"yes"}'],
      ['cityloop/devices/s1/acks', '{"commandId":"c1","ok":true,"detail":7}'],
      ['cityloop/devices/s1/acks', `{"commandId":"${'x'.repeat(200)}","ok":true}`],
      ['cityloop/devices/s 1/acks', '{"commandId":"c1","ok":true}'],
      ['cityloop/devices/s1/other', '{"commandId":"c1","ok":true}'],
    ];
    for (const [topic, payload] of invalid) expect(parseAck(topic, bytes(payload)).valid, `${topic} ${payload}`).toBe(false);
    expect(parseAck('cityloop/devices/s1/acks', Buffer.alloc(20_000, 0x20))).toEqual({ valid: false, why: expect.stringMatching(/over/) });
  });

  it('truncates a long detail rather than refusing the ack', () => {
    const r = parseAck('cityloop/devices/s1/acks', bytes(JSON.stringify({ commandId: 'c1', ok: false, detail: 'e'.repeat(2000) })));
    expect(r.valid && r.ack.detail?.length).toBe(500);
  });
});
