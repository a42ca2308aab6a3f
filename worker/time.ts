/** Unix seconds or milliseconds to milliseconds: no time of this century has 10^12 seconds. */
export const toMs = (time: number) => Math.round(time > 1e12 ? time : time * 1000);
