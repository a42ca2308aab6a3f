import { CONSENT_KEY_PATTERN } from '../../domain/rooms.ts';

// The recording-consent answer, remembered per meeting in this browser (SPEC §8: asked once per
// meeting per browser), and the browser's consent key, sent with every answer so that the API
// keeps one answer per browser and meeting (SPEC §14). Storage may be unavailable (private modes,
// blocked cookies): both are then remembered for as long as the page lives.

export type ConsentAnswer = 'yes' | 'no';

export interface ConsentStore {
  get(meetingId: string): ConsentAnswer | null;
  set(meetingId: string, answer: ConsentAnswer): void;
  /** This browser's consent key: made once, then the same for every meeting. */
  key(): string;
}

const key = (meetingId: string) => `meeting-rooms:consent:${meetingId}`;
const memory = new Map<string, ConsentAnswer>();

const CONSENT_KEY = 'meeting-rooms:consent-key';
let memoryKey: string | undefined;

/**
 * 128 random bits as 32 hex digits: unguessable, and within the API's rule for a browser's keys
 * (crypto.randomUUID needs a secure context).
 */
export function newBrowserKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export const browserConsentStore: ConsentStore = {
  get(meetingId) {
    try {
      const stored = localStorage.getItem(key(meetingId));
      return stored === 'yes' || stored === 'no' ? stored : null;
    } catch {
      return memory.get(meetingId) ?? null;
    }
  },
  set(meetingId, answer) {
    try {
      localStorage.setItem(key(meetingId), answer);
    } catch {
      memory.set(meetingId, answer);
    }
  },
  key() {
    try {
      const stored = localStorage.getItem(CONSENT_KEY);
      if (stored !== null && CONSENT_KEY_PATTERN.test(stored)) return stored;
      const made = newBrowserKey();
      localStorage.setItem(CONSENT_KEY, made);
      return made;
    } catch {
      memoryKey ??= newBrowserKey();
      return memoryKey;
    }
  },
};

/** Whether this meeting asks its participants at all. */
export const asksForConsent = (meeting: { recording_type: string; skip_consent: boolean }) =>
  meeting.recording_type === 'cloud' && !meeting.skip_consent;
