// Panels: two beside the stage on a desktop, one sheet on a phone, only those you may see.
import { describe, expect, it } from 'vitest';
import { fitPanels, initialPanels, showPanel, togglePanel } from './panels';
import type { Rights } from './rights';

const attendee = { presenter: false, shareContent: false } as Rights;
const presenter = { presenter: true, shareContent: true } as Rights;

describe('panels', () => {
  it('opens people and chat on a desktop, nothing over a phone screen', () => {
    expect(initialPanels(false)).toEqual(['people', 'chat']);
    expect(initialPanels(true)).toEqual([]);
  });

  it('keeps at most two open beside the stage, closing the oldest', () => {
    expect(togglePanel(['people', 'chat'], 'documents', false)).toEqual(['chat', 'documents']);
    expect(togglePanel(['people', 'chat'], 'people', false)).toEqual(['chat']);
  });

  it('shows one sheet at a time on a phone', () => {
    expect(togglePanel(['people'], 'chat', true)).toEqual(['chat']);
    expect(togglePanel(['chat'], 'chat', true)).toEqual([]);
  });

  it('opens a panel without closing it when it is already open', () => {
    expect(showPanel(['documents'], 'documents', false)).toEqual(['documents']);
    expect(showPanel(['people', 'chat'], 'documents', false)).toEqual(['chat', 'documents']);
  });

  it('drops panels you may no longer see and fits a narrower screen', () => {
    expect(fitPanels(['chat', 'documents'], false, attendee)).toEqual(['chat']);
    expect(fitPanels(['chat', 'documents'], false, presenter)).toEqual(['chat', 'documents']);
    expect(fitPanels(['chat', 'documents'], true, presenter)).toEqual(['documents']);
  });
});
