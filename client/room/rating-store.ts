// Whether this browser was already asked to rate a meeting (SPEC §13: once per meeting per
// browser), kept in localStorage beside the consent answers; for as long as the page lives where
// storage is unavailable.

const key = (meetingId: string) => `meeting-rooms:rated:${meetingId}`;
const memory = new Set<string>();

export interface RatingStore {
  asked(meetingId: string): boolean;
  remember(meetingId: string): void;
}

export const browserRatingStore: RatingStore = {
  asked(meetingId) {
    try {
      return localStorage.getItem(key(meetingId)) !== null;
    } catch {
      return memory.has(meetingId);
    }
  },
  remember(meetingId) {
    try {
      localStorage.setItem(key(meetingId), '1');
    } catch {
      memory.add(meetingId);
    }
  },
};
