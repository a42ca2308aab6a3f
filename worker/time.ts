/** Unix seconds or milliseconds to milliseconds: no time of this century has 10^12 seconds. */
export const toMs = (time: number) => Math.round(time > 1e12 ? time : time * 1000);

/** The whole second at or before `ms`: Daily's exp has no finer grain, and a meeting's end_date must equal it. */
export const toWholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
