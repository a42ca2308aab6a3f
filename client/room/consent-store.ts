// The recording-consent answer, remembered per meeting in this browser (SPEC §8: asked once per
// meeting per browser). Storage may be unavailable (private modes, blocked cookies): the answer
// is then remembered for as long as the page lives.

export type ConsentAnswer = 'yes' | 'no';

export interface ConsentStore {
  get(meetingId: string): ConsentAnswer | null;
  set(meetingId: string, answer: ConsentAnswer): void;
}

const key = (meetingId: string) => `meeting-rooms:consent:${meetingId}`;
const memory = new Map<string, ConsentAnswer>();

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
};

/** Whether this meeting asks its participants at all. */
export const asksForConsent = (meeting: { recording_type: string; skip_consent: boolean }) =>
  meeting.recording_type === 'cloud' && !meeting.skip_consent;
