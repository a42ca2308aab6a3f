// Local stand-in of Whereby's REST API (see /work/shared/PROVIDERS.md), for tests and `npm start`.

import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { ErrorKind, FrameMessages, JsonObject, Reply, Route, StandIn } from './control.ts';
import { controlError, isRecord, isRecordArray, json, noContent, parseDate, route, startStandIn } from './control.ts';

interface WherebyMeeting {
  meetingId: string;
  roomName: string;
  roomUrl: string;
  hostRoomUrl?: string;
  startDate: string;
  endDate: string;
}

interface StoredMeeting {
  meeting: WherebyMeeting;
  createBody: unknown;
}

interface WherebyState {
  meetings: Map<string, StoredMeeting>;
  /** Room-session insights by room name (with its leading slash). */
  sessions: Map<string, JsonObject[]>;
}

/** What POST /meetings needs from a valid body. */
interface MeetingRequest {
  endDate: string;
  roomNamePrefix: string | null;
  humanShort: boolean;
  withHostUrl: boolean;
}

const ROOM_NAME_PREFIX = /^[a-z0-9-]{1,39}$/;

/** `roomOrigin`: where the room URLs it answers point (the provider's own https domain, say); its own origin by default. */
export async function startWherebyStandIn(
  options: { port?: number; apiKey?: string; roomOrigin?: string } = {},
): Promise<StandIn> {
  const state = emptyState();
  return startStandIn({
    name: 'Whereby',
    apiKey: options.apiKey ?? 'whereby-local-key',
    port: options.port ?? 0,
    restRoutes: restRoutes(state, options.roomOrigin),
    controlRoutes: (frames) => controlRoutes(state, frames),
    errorReply: wherebyErrorReply,
    hasRoom: (path) => [...state.meetings.values()].some(({ meeting }) => meeting.roomName === path),
    reset() {
      Object.assign(state, emptyState());
    },
  });
}

function emptyState(): WherebyState {
  return { meetings: new Map(), sessions: new Map() };
}

function wherebyError(status: number, message: string): Reply {
  return json(status, { error: message });
}

function wherebyErrorReply(kind: ErrorKind): Reply {
  switch (kind) {
    case 'unauthorized':
      return wherebyError(401, 'Unauthorized');
    case 'not-found':
      return wherebyError(404, 'Not found');
    case 'bad-json':
      return wherebyError(400, 'Invalid JSON body');
    case 'internal':
      return wherebyError(500, 'Internal server error');
  }
}

function restRoutes(state: WherebyState, roomOrigin: string | undefined): Route[] {
  return [
    route('POST', '/meetings', ({ body, origin }) => {
      const request = parseMeetingRequest(body);
      if (typeof request === 'string') return wherebyError(400, request);
      const meeting = createMeeting(state, request, roomOrigin ?? origin);
      state.meetings.set(meeting.meetingId, { meeting, createBody: body });
      return json(201, meeting);
    }),
    route('GET', '/meetings/:id', ({ params }) => {
      const stored = state.meetings.get(params.id);
      return stored ? json(200, stored.meeting) : wherebyError(404, 'Meeting not found');
    }),
    route('DELETE', '/meetings/:id', ({ params }) => {
      state.meetings.delete(params.id);
      return noContent;
    }),
    route('GET', '/insights/room-sessions', ({ query }) => {
      const roomName = query.get('roomName');
      if (roomName === null) return wherebyError(400, 'roomName is required');
      return json(200, { cursor: null, results: state.sessions.get(roomName) ?? [] });
    }),
  ];
}

function controlRoutes(state: WherebyState, frames: FrameMessages): Route[] {
  return [
    // What Whereby's room in the frame posts to the page: one of its embed events, {type, payload}.
    route('POST', '/whereby/frames/event', ({ body }) => {
      if (!isRecord(body) || typeof body.room !== 'string' || typeof body.type !== 'string')
        return controlError(400, 'room (the room page’s path) and type (an embed event) are required');
      if (![...state.meetings.values()].some(({ meeting }) => meeting.roomName === body.room))
        return controlError(404, `room ${body.room} not found`);
      frames.post(body.room, { type: body.type, payload: isRecord(body.payload) ? body.payload : {} });
      return noContent;
    }),
    route('PUT', '/whereby/sessions', ({ body }) => {
      if (!isRecord(body) || typeof body.roomName !== 'string' || !body.roomName.startsWith('/')) {
        return controlError(400, 'roomName must be a room name with its leading slash');
      }
      const { roomName, sessions } = body;
      if (!isRecordArray(sessions)) return controlError(400, 'sessions must be an array of objects');
      state.sessions.set(
        roomName,
        sessions.map((given) => completeSession(roomName, given)),
      );
      return noContent;
    }),
    route('GET', '/whereby/meetings', () =>
      json(
        200,
        [...state.meetings.values()].map(({ meeting, createBody }) => ({ ...meeting, createBody })),
      ),
    ),
  ];
}

/** Validates a POST /meetings body; answers what creating needs, or the error message. */
function parseMeetingRequest(body: unknown): MeetingRequest | string {
  if (!isRecord(body)) return 'endDate is required';
  const { endDate, roomNamePrefix, roomMode, roomNamePattern, fields, isLocked } = body;
  if (parseDate(endDate) === null) return 'endDate is required';
  if (roomNamePrefix !== undefined && (typeof roomNamePrefix !== 'string' || !ROOM_NAME_PREFIX.test(roomNamePrefix))) {
    return 'roomNamePrefix must be at most 39 lower-case letters, digits or dashes';
  }
  if (roomMode !== undefined && roomMode !== 'normal' && roomMode !== 'group') {
    return 'roomMode must be "normal" or "group"';
  }
  if (roomNamePattern !== undefined && roomNamePattern !== 'uuid' && roomNamePattern !== 'human-short') {
    return 'roomNamePattern must be "uuid" or "human-short"';
  }
  if (fields !== undefined && !(Array.isArray(fields) && fields.every((field) => typeof field === 'string'))) {
    return 'fields must be an array of strings';
  }
  if (isLocked !== undefined && typeof isLocked !== 'boolean') return 'isLocked must be a boolean';
  return {
    endDate: endDate as string,
    roomNamePrefix: roomNamePrefix ?? null,
    humanShort: roomNamePattern === 'human-short',
    withHostUrl: fields?.includes('hostRoomUrl') ?? false,
  };
}

function createMeeting(state: WherebyState, request: MeetingRequest, origin: string): WherebyMeeting {
  const suffix = request.humanShort ? humanShortName() : randomUUID();
  const roomName = request.roomNamePrefix === null ? `/${suffix}` : `/${request.roomNamePrefix}-${suffix}`;
  const roomUrl = origin + roomName;
  return {
    meetingId: newMeetingId(state),
    roomName,
    roomUrl,
    ...(request.withHostUrl ? { hostRoomUrl: `${roomUrl}?roomKey=${randomBytes(24).toString('base64url')}` } : {}),
    startDate: new Date().toISOString(),
    endDate: request.endDate,
  };
}

function newMeetingId(state: WherebyState): string {
  let id: string;
  do id = String(randomInt(10_000_000, 100_000_000));
  while (state.meetings.has(id));
  return id;
}

function humanShortName(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: 3 }, () =>
    Array.from({ length: 4 }, () => letters[randomInt(letters.length)]).join(''),
  ).join('-');
}

function completeSession(roomName: string, given: JsonObject): JsonObject {
  return {
    roomSessionId: randomUUID(),
    roomName,
    startedAt: new Date().toISOString(),
    endedAt: null,
    totalParticipantMinutes: 0,
    totalUniqueParticipants: 0,
    ...given,
  };
}
