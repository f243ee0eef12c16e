/** Recognising our own CAP exports coming back, and the signature status (pure parts of cap-intake). */
import { describe, expect, it } from 'vitest';
import { capSignatureStatus, exportedAlertIdOf, isOwnCapMessage } from './cap-intake.ts';

const OURS = 'cityloop@chongqing.gov.cn';
const ref = (sender: string, identifier: string) => ({ sender, identifier, sent: '2025-07-01T10:00:00+08:00' });

describe('our own CAP messages', () => {
  it('reads the alert id out of an export identifier, with or without its suffix', () => {
    expect(exportedAlertIdOf('cityloop.01JZ8K3M4N5P6Q7R8S9T0V1W2X')).toBe('01JZ8K3M4N5P6Q7R8S9T0V1W2X');
    expect(exportedAlertIdOf('cityloop.01JZ8K3M4N5P6Q7R8S9T0V1W2X.cleared')).toBe('01JZ8K3M4N5P6Q7R8S9T0V1W2X');
    expect(exportedAlertIdOf('cityloop.5f0c-aa.u20250701T101500')).toBe('5f0c-aa');
    expect(exportedAlertIdOf('CQ-QXT-20250701093000-RAINSTORM-ORANGE')).toBeNull();
    expect(exportedAlertIdOf('cityloop.')).toBeNull();
  });

  it('recognises our sender, our identifier of a known alert, or references naming only ours', () => {
    const known = new Set(['A1']);
    expect(isOwnCapMessage({ sender: OURS, identifier: 'anything', references: [] }, OURS)).toBe(true);
    // A relay that kept our identifier under its own sender: ours when the alert exists here.
    expect(isOwnCapMessage({ sender: 'relay@example.org', identifier: 'cityloop.A1', references: [] }, OURS, known)).toBe(true);
    expect(isOwnCapMessage({ sender: 'relay@example.org', identifier: 'cityloop.ZZ', references: [] }, OURS, known)).toBe(false);
    // Answers to ours only.
    expect(isOwnCapMessage({ sender: 'relay@example.org', identifier: 'R-1', references: [ref(OURS, 'cityloop.A1')] }, OURS)).toBe(true);
    expect(isOwnCapMessage({ sender: 'relay@example.org', identifier: 'R-2', references: [ref('x@example.org', 'cityloop.A1')] }, OURS, known)).toBe(true);
    // Mixed with someone else's message, or none at all: not ours.
    expect(isOwnCapMessage({ sender: 'relay@example.org', identifier: 'R-3', references: [ref(OURS, 'cityloop.A1'), ref('qxt.cq@example.org', 'CQ-1')] }, OURS)).toBe(false);
    expect(isOwnCapMessage({ sender: 'qxt.cq@example.org', identifier: 'CQ-1', references: [] }, OURS)).toBe(false);
    // The sender is compared exactly, as CAP compares it.
    expect(isOwnCapMessage({ sender: OURS.toUpperCase(), identifier: 'x', references: [] }, OURS)).toBe(false);
  });

  it('states the signature honestly: unsigned or signed-unverified (nothing is verified)', () => {
    expect(capSignatureStatus({ signed: false })).toBe('unsigned');
    expect(capSignatureStatus({ signed: true })).toBe('signed-unverified');
  });
});
