import type { FlagChange } from '../../api.ts';

// How a flag change reads, in the timeline and on the charts' marks.

/** A flag's text as stored in KV, or what its absence means. */
export const valueText = (value: string | null, absent: string) => value ?? absent;

export const exactTime = (iso: string) =>
  new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'medium' });

/** One sentence: when, who, what changed from what to what, and why. */
export const changeSummary = (change: FlagChange) =>
  `${exactTime(change.at)}: ${change.by} changed ${change.key} from ${valueText(change.old_value, 'absent')} to ${valueText(change.new_value, 'deleted')} (${change.reason})`;
