import { z } from 'zod';
import type { BucketSettings, DailySettings } from '../config';
import { log } from '../log';
import { toMs } from '../time';
import { type ProviderClientOptions, ProviderError, providerClient, safeJson } from './http';
import { checkedRoomUrl, type RoomDomain, subdomainsOf } from './room-url';
import type {
  CreatedMeeting,
  FinishedRecording,
  JoiningPerson,
  MeetingRef,
  MeetingRequest,
  RoomActivity,
  VideoPlatform,
} from './types';

// Daily's REST API as PROVIDERS.md describes it. Each meeting gets a Daily room of its own,
// named after our room and the start time, so webhooks (which name the room) find the meeting.

// The URL is checked against Daily's domain after parsing (room-url.ts).
const createdRoom = z.object({ id: z.string().min(1), name: z.string().min(1), url: z.string() });

// Current docs use camelCase keys, older generated clients snake_case: both are accepted.
const presence = z.object({
  total_count: z.number(),
  data: z.array(
    z
      .object({
        id: z.string(),
        userId: z.string().nullish(),
        user_id: z.string().nullish(),
        userName: z.string().nullish(),
        user_name: z.string().nullish(),
        joinTime: z.string().nullish(),
        join_time: z.string().nullish(),
      })
      .transform((p) => ({
        id: p.id,
        userId: p.userId ?? p.user_id ?? undefined,
        userName: p.userName ?? p.user_name ?? undefined,
        joinedAt: p.joinTime ?? p.join_time ?? undefined,
      })),
  ),
});

const meetingToken = z.object({ token: z.string().min(1) });

const accessLink = z.object({ download_link: z.url() });

/** Long enough for a copy of several GiB; the link is only ever used by the copy job. */
const DOWNLOAD_LINK_SECONDS = 3 * 3600;

// `s3key` and `s3Key` both occur: both are accepted.
const recordingList = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      start_ts: z.number(),
      status: z.string(),
      duration: z.number().nullish(),
      s3key: z.string().nullish(),
      s3Key: z.string().nullish(),
    }),
  ),
});
const errorBody = z.object({ error: z.string(), info: z.string().optional() });

/** `myroom-20261124101500`: our room name and the meeting's start, UTC, to the second. */
export function dailyRoomName(roomName: string, start: Date): string {
  return `${roomName}-${start.toISOString().replace(/\D/g, '').slice(0, 14)}`;
}

/** Daily's rooms are on our account's subdomain, where DAILY_SUBDOMAIN names it. */
function dailyDomain(settings: DailySettings): RoomDomain {
  const { subdomain, loopbackRooms } = settings;
  return subdomain
    ? {
        provider: 'Daily',
        described: `${subdomain}.daily.co`,
        owns: (host) => host === `${subdomain}.daily.co`,
        loopback: loopbackRooms,
      }
    : { provider: 'Daily', described: '*.daily.co', owns: subdomainsOf('daily.co'), loopback: loopbackRooms };
}

/**
 * Daily's `user_id` of a meeting token holds at most 36 characters: a longer `sub` becomes a
 * stable hash of it (the first 36 hex digits of its SHA-256), the same person on every join.
 */
async function tokenUserId(userId: string): Promise<string> {
  if (userId.length <= TOKEN_USER_ID_LENGTH) return userId;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(userId)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, TOKEN_USER_ID_LENGTH);
}
const TOKEN_USER_ID_LENGTH = 36;

/** Daily's answer when the instance records already: someone else started it (Reflector's test of it). */
const isActiveStream = (error: unknown) =>
  error instanceof ProviderError && error.failure === 'rejected' && error.detail.includes('has an active stream');

export function dailyPlatform(
  settings: DailySettings,
  bucket: () => BucketSettings,
  onCall?: ProviderClientOptions['onCall'],
): VideoPlatform {
  const client = providerClient({
    provider: 'Daily',
    ...settings,
    onCall,
    describeError: (status, text) => {
      const parsed = errorBody.safeParse(safeJson(text));
      if (!parsed.success) return `it answered ${status}`;
      return parsed.data.info ? `${parsed.data.error}: ${parsed.data.info}` : parsed.data.error;
    },
    retryAfterMs: (response) => {
      const seconds = Number(response.headers.get('retry-after'));
      return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
    },
  });

  return {
    name: 'daily',

    async createMeeting(request: MeetingRequest): Promise<CreatedMeeting> {
      const room = await client.json(
        {
          method: 'POST',
          path: '/rooms',
          action: 'create the room',
          body: {
            name: dailyRoomName(request.roomName, request.start),
            // A locked room lets people in only when the owner admits them.
            privacy: request.isLocked ? 'private' : 'public',
            properties: {
              exp: Math.floor(request.end.getTime() / 1000),
              enable_knocking: request.isLocked,
              enable_chat: true,
              enable_screenshare: true,
              enable_prejoin_ui: true,
              ...recording(request, settings, bucket),
            },
          },
        },
        createdRoom,
      );
      const roomUrl = checkedRoomUrl(dailyDomain(settings), 'create the room', 'url', room.url);
      return {
        platformMeetingId: room.id,
        roomName: room.name,
        roomUrl,
        hostRoomUrl: roomUrl,
        recordsToBucket: request.recordingType === 'cloud' && settings.awsRoleArn !== undefined,
      };
    },

    async activity(meeting: MeetingRef): Promise<RoomActivity> {
      const present = await client.json(
        {
          method: 'GET',
          path: `/rooms/${encodeURIComponent(meeting.roomName)}/presence`,
          action: 'tell who is in the room',
        },
        presence,
      );
      return { ongoing: present.data.length > 0, participants: present.data };
    },

    async extendMeeting(meeting: MeetingRef, end: Date) {
      await client.status({
        method: 'POST',
        path: `/rooms/${encodeURIComponent(meeting.roomName)}`,
        action: 'extend the room',
        body: { properties: { exp: Math.floor(end.getTime() / 1000) } },
      });
    },

    async endMeeting(meeting: MeetingRef) {
      await client.status({
        method: 'DELETE',
        path: `/rooms/${encodeURIComponent(meeting.roomName)}`,
        action: 'delete the room',
        accept: [404],
      });
    },

    // Daily has no host link: a token of the person's own rides in the room URL, the owner's
    // making them the room's owner (and the URL their host link too).
    async personLinks(meeting: MeetingRef, person: JoiningPerson) {
      const { token } = await client.json(
        {
          method: 'POST',
          path: '/meeting-tokens',
          action: person.isOwner ? "mint the owner's meeting token" : 'mint a meeting token',
          body: {
            properties: {
              room_name: meeting.roomName,
              is_owner: person.isOwner,
              user_id: await tokenUserId(person.userId),
              ...(person.userName ? { user_name: person.userName } : {}),
              exp: Math.floor(Date.parse(meeting.endDate) / 1000),
              enable_recording_ui: person.recordingUi,
            },
          },
        },
        meetingToken,
      );
      const url = new URL(meeting.roomUrl);
      url.searchParams.set('t', token);
      return { roomUrl: url.toString(), hostRoomUrl: person.isOwner ? url.toString() : null };
    },

    async finishedRecordings(meeting: MeetingRef) {
      const list = await client.json(
        {
          method: 'GET',
          path: `/recordings?room_name=${encodeURIComponent(meeting.roomName)}`,
          action: 'list the recordings',
        },
        recordingList,
      );
      return finished(list);
    },

    async startRecording(meeting, instance) {
      try {
        await client.status({
          method: 'POST',
          path: `/rooms/${encodeURIComponent(meeting.roomName)}/recordings/start`,
          action: 'start the recording',
          // Without an instance: the type the room was made with (see recording() below).
          body: instance ?? { type: meeting.rawTracks && settings.awsRoleArn ? 'raw-tracks' : 'cloud' },
        });
        return 'started';
      } catch (error) {
        if (isActiveStream(error)) return 'already-active';
        throw error;
      }
    },

    async recordingDownloadLink(recordingId: string) {
      const link = await client.json(
        {
          method: 'GET',
          path: `/recordings/${encodeURIComponent(recordingId)}/access-link?valid_for_secs=${DOWNLOAD_LINK_SECONDS}`,
          action: 'give a download link for the recording',
        },
        accessLink,
      );
      return checkedDownloadLink(settings, link.download_link);
    },

    async deleteRecording(recordingId: string) {
      await client.status({
        method: 'DELETE',
        path: `/recordings/${encodeURIComponent(recordingId)}`,
        action: 'delete its copy of the recording',
        accept: [404],
      });
    },
  };
}

/**
 * A download link is fetched by the copy with the recording's bytes at stake: only over https
 * (http only in development, for the local stand-in), never with credentials in it (SPEC §14).
 * The link itself, which is signed, is never repeated in the error.
 */
function checkedDownloadLink(settings: DailySettings, link: string): string {
  const url = new URL(link);
  const protocols = settings.httpDownloadLinks ? ['https:', 'http:'] : ['https:'];
  if (protocols.includes(url.protocol) && !url.username && !url.password) return link;
  throw new ProviderError(
    'Daily',
    'malformed',
    `Daily could not give a download link for the recording: its answer's download_link is not an https address${settings.httpDownloadLinks ? ' (or http, in development)' : ''}.`,
  );
}

function finished(list: z.infer<typeof recordingList>): FinishedRecording[] {
  return list.data
    .filter((recording) => recording.status === 'finished')
    .map((recording) => ({
      recordingId: recording.id,
      startedAt: toMs(recording.start_ts),
      durationS: recording.duration == null ? undefined : Math.round(recording.duration),
      providerKey: recording.s3key ?? recording.s3Key ?? undefined,
    }));
}

function recording(request: MeetingRequest, settings: DailySettings, bucket: () => BucketSettings) {
  if (request.recordingType === 'none') return {};
  if (request.recordingType === 'local') return { enable_recording: 'local' };
  if (!settings.awsRoleArn) {
    // Raw tracks are only had straight in our bucket; the call itself must not fail for that.
    if (request.rawTracks)
      log('warn', 'raw tracks need AWS_DAILY_ROLE_ARN; recording a composite instead', { room: request.roomName });
    return { enable_recording: 'cloud' };
  }
  // Daily writes straight into the recordings bucket by assuming the role.
  const { bucket: bucketName, region } = bucket();
  return {
    enable_recording: request.rawTracks ? 'raw-tracks' : 'cloud',
    recordings_bucket: {
      bucket_name: bucketName,
      bucket_region: region,
      assume_role_arn: settings.awsRoleArn,
      allow_api_access: true,
    },
  };
}
