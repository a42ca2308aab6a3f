import { PLATFORM_NAMES, PLATFORMS, type Platform } from '../../domain/rooms';
import { ApiError } from '../errors';
import { log } from '../log';
import { isOutage, ProviderError } from '../platforms/http';
import type { Platforms } from '../platforms/registry';
import type { CreatedMeeting, MeetingRequest } from '../platforms/types';

// The failover step of a meeting's creation (SPEC §9): the chosen platform makes the meeting
// unless it is failing (its breaker open, or this create failed by an outage), and then the other
// platform does. Every create's outcome goes to its platform's breaker, failover on or off.

export interface PlacedMeeting {
  platform: Platform;
  created: CreatedMeeting;
  /** The chosen platform the meeting failed over from; null when it is on the chosen one. */
  failoverFrom: Platform | null;
}

const otherThan = (platform: Platform): Platform => PLATFORMS.find((other) => other !== platform) ?? platform;

export async function createMeetingWithFailover(
  platforms: Platforms,
  chosen: Platform,
  request: MeetingRequest,
): Promise<PlacedMeeting> {
  if (!platforms.canFailOver())
    return { platform: chosen, created: await create(platforms, chosen, request), failoverFrom: null };

  let failure: ProviderError | null = null;
  if (await platforms.breaker(chosen).admit()) {
    try {
      return { platform: chosen, created: await create(platforms, chosen, request), failoverFrom: null };
    } catch (error) {
      // A refusal, a missing setting or our own bug would fail at the other platform too.
      if (!isOutage(error)) throw error;
      failure = error;
    }
  }
  const other = otherThan(chosen);
  const bothFailing = new ApiError(
    'provider-unavailable',
    `${PLATFORM_NAMES[chosen]} and ${PLATFORM_NAMES[other]} are both failing; try again in a few minutes.`,
  );
  // The other platform's breaker decides as well: with both failing, neither is hammered.
  if (!(await platforms.breaker(other).admit())) throw bothFailing;
  let created: CreatedMeeting;
  try {
    created = await create(platforms, other, request);
  } catch (error) {
    throw isOutage(error) ? bothFailing : error;
  }
  log('warn', 'meeting failed over', {
    room_name: request.roomName,
    from: chosen,
    to: other,
    reason: failure ? 'create-failed' : 'breaker-open',
    ...(failure ? { detail: failure.detail } : {}),
  });
  return { platform: other, created, failoverFrom: chosen };
}

/** A create at one platform, its outcome told to that platform's breaker (its retries count once). */
async function create(platforms: Platforms, platform: Platform, request: MeetingRequest) {
  try {
    const created = await platforms(platform).createMeeting(request);
    await platforms.breaker(platform).record('ok');
    return created;
  } catch (error) {
    // A provider that answered (even with a refusal) is up; an error before any call says nothing.
    if (isOutage(error)) await platforms.breaker(platform).record('failed');
    else if (error instanceof ProviderError) await platforms.breaker(platform).record('ok');
    throw error;
  }
}
