import { z } from 'zod';
import type { BucketSettings, ProviderSettings } from '../config';
import { type ProviderClientOptions, providerClient, safeJson } from './http';
import { checkedRoomUrl, type RoomDomain, subdomainsOf } from './room-url';
import type { CreatedMeeting, JoiningPerson, MeetingRef, MeetingRequest, RoomActivity, VideoPlatform } from './types';

// Whereby's REST API as PROVIDERS.md describes it.

// The URLs are checked against Whereby's domain after parsing (room-url.ts).
const createdMeeting = z.object({
  meetingId: z.string().min(1),
  roomName: z.string().min(1),
  roomUrl: z.string(),
  hostRoomUrl: z.string().optional(),
});

const roomSessions = z.object({
  results: z.array(z.object({ roomSessionId: z.string().optional(), endedAt: z.string().nullable().optional() })),
});

const errorBody = z.object({ error: z.string() }).loose();
const rateLimitBody = z.object({ data: z.object({ msLeft: z.number() }) });

const wherebyDomain = (settings: ProviderSettings): RoomDomain => ({
  provider: 'Whereby',
  described: '*.whereby.com',
  owns: subdomainsOf('whereby.com'),
  loopback: settings.loopbackRooms,
});

/** Whereby's prefix: at most 39 lower-case characters, not ending in a hyphen. */
export const roomNamePrefix = (roomName: string) => roomName.slice(0, 39).replace(/-+$/, '');

export function wherebyPlatform(
  settings: ProviderSettings,
  bucket: () => BucketSettings,
  onCall?: ProviderClientOptions['onCall'],
): VideoPlatform {
  const client = providerClient({
    provider: 'Whereby',
    ...settings,
    onCall,
    describeError: (status, text) => {
      const parsed = errorBody.safeParse(safeJson(text));
      return parsed.success ? parsed.data.error : `it answered ${status}`;
    },
    retryAfterMs: (response, text) => {
      const header = Number(response.headers.get('retry-after'));
      if (Number.isFinite(header) && header > 0) return header * 1000;
      const parsed = rateLimitBody.safeParse(safeJson(text));
      return parsed.success ? parsed.data.data.msLeft : null;
    },
  });

  return {
    name: 'whereby',

    async createMeeting(request: MeetingRequest): Promise<CreatedMeeting> {
      const meeting = await client.json(
        {
          method: 'POST',
          path: '/meetings',
          action: 'create the meeting',
          body: {
            endDate: request.end.toISOString(),
            isLocked: request.isLocked,
            roomMode: request.roomMode,
            roomNamePrefix: roomNamePrefix(request.roomName),
            roomNamePattern: 'uuid',
            fields: ['hostRoomUrl'],
            recording: recording(request, bucket),
          },
        },
        createdMeeting,
      );
      const domain = wherebyDomain(settings);
      const action = 'create the meeting';
      const roomUrl = checkedRoomUrl(domain, action, 'roomUrl', meeting.roomUrl);
      const hostRoomUrl =
        meeting.hostRoomUrl === undefined
          ? roomUrl
          : checkedRoomUrl(domain, action, 'hostRoomUrl', meeting.hostRoomUrl);
      return {
        platformMeetingId: meeting.meetingId,
        roomName: meeting.roomName.replace(/^\//, ''),
        roomUrl,
        hostRoomUrl,
        recordsToBucket: request.recordingType === 'cloud',
      };
    },

    async activity(meeting: MeetingRef): Promise<RoomActivity> {
      const sessions = await client.json(
        {
          method: 'GET',
          path: `/insights/room-sessions?roomName=${encodeURIComponent(`/${meeting.roomName}`)}`,
          action: 'list the room sessions',
        },
        roomSessions,
      );
      return { ongoing: sessions.results.some((session) => !session.endedAt) };
    },

    async endMeeting(meeting: MeetingRef) {
      // Every Whereby row has the id: new rows from creation, older ones from migration 0003.
      if (!meeting.platformMeetingId) return;
      await client.status({
        method: 'DELETE',
        path: `/meetings/${encodeURIComponent(meeting.platformMeetingId)}`,
        action: 'end the meeting',
        accept: [404],
      });
    },

    // The host link makes its holder the host; the room URL stays the one everyone has.
    // Whereby names people in its own prejoin screen; only the owner's link differs.
    async personLinks(meeting: MeetingRef, person: JoiningPerson) {
      return { roomUrl: meeting.roomUrl, hostRoomUrl: person.isOwner ? meeting.hostRoomUrl : null };
    },
  };
}

function recording(request: MeetingRequest, bucket: () => BucketSettings) {
  if (request.recordingType === 'none') return undefined;
  if (request.recordingType === 'local') return { type: 'local', startTrigger: request.recordingTrigger };
  // Whereby writes the MP4 straight into the recordings bucket.
  const { bucket: name, accessKeyId, secretAccessKey } = bucket();
  return {
    type: 'cloud',
    destination: { provider: 's3', bucket: name, accessKeyId, accessKeySecret: secretAccessKey, fileFormat: 'mp4' },
    startTrigger: request.recordingTrigger,
  };
}
