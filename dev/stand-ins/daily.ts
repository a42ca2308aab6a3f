// Local stand-in of Daily's REST API (see /work/shared/PROVIDERS.md), for tests and `npm start`.

import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ErrorKind, FrameMessages, JsonObject, Reply, Route, StandIn } from './control.ts';
import { controlError, isRecord, isRecordArray, json, noContent, parseDate, route, startStandIn } from './control.ts';

interface DailyRoom {
  id: string;
  name: string;
  api_created: true;
  privacy: 'public' | 'private';
  url: string;
  created_at: string;
  config: JsonObject;
}

interface StoredRoom {
  room: DailyRoom;
  createBody: unknown;
}

/** Someone present in a room, as set through the control endpoint. */
interface Presence {
  id: string;
  joinMs: number;
  /** The control body item as received; its fields win over the computed ones. */
  given: JsonObject;
}

interface SessionParticipant {
  participantId: string;
  userId: unknown;
  userName: unknown;
  joinMs: number;
  leftMs: number | null;
}

/** A meeting session, derived from presence: it starts with the first person in and ends when the room empties. */
interface MeetingSession {
  id: string;
  room: string;
  startMs: number;
  endMs: number | null;
  maxParticipants: number;
  participants: Map<string, SessionParticipant>;
}

/** A recording going on in a room: one per instance id, as Daily keeps them. */
interface ActiveRecording {
  type: string;
  startMs: number;
}

interface DailyState {
  rooms: Map<string, StoredRoom>;
  /** Room name → instance id → its recording while it runs. */
  activeRecordings: Map<string, Map<string, ActiveRecording>>;
  /**
   * The webhook events Daily would have sent (a stopped recording's `recording.ready-to-download`),
   * oldest first, until the control endpoint hands them out for delivery.
   */
  outbox: JsonObject[];
  presence: Map<string, Presence[]>;
  sessions: MeetingSession[];
  recordings: Map<string, JsonObject[]>;
  /** Sizes of recording files set through the control endpoint; any other id has the default size. */
  fileSizes: Map<string, number>;
  /** Recordings whose download link was handed out: Daily has them, listed or not. */
  linked: Set<string>;
  /** Recordings deleted with DELETE /recordings/:id: gone from the list, their links and files too. */
  deleted: Set<string>;
}

const ROOM_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_USER_ID_LENGTH = 36;
/** Several parts of a multipart copy (of 16 MiB), and not a round number, so the last part is short. */
const DEFAULT_FILE_SIZE = 40 * 1024 * 1024 + 123;
const DEFAULT_LINK_SECONDS = 3600;
/** The instance a start or stop without an instanceId means. */
const DEFAULT_INSTANCE_ID = '00000000-0000-0000-0000-000000000000';
const RECORDING_TYPES = ['cloud', 'cloud-audio-only', 'raw-tracks'];

/**
 * `roomOrigin`: where the room URLs it answers point (the provider's own https domain, say);
 * `fileOrigin`: where its download links point (an https name that a test's network sends
 * here); each its own origin by default.
 */
export async function startDailyStandIn(
  options: { port?: number; apiKey?: string; roomOrigin?: string; fileOrigin?: string } = {},
): Promise<StandIn> {
  const state = emptyState();
  return startStandIn({
    name: 'Daily',
    apiKey: options.apiKey ?? 'daily-local-key',
    port: options.port ?? 0,
    restRoutes: restRoutes(state, options),
    controlRoutes: (frames) => controlRoutes(state, frames),
    fileRoutes: fileRoutes(state),
    errorReply: dailyErrorReply,
    hasRoom: (path) => state.rooms.has(path.slice(1)),
    reset() {
      Object.assign(state, emptyState());
    },
  });
}

function emptyState(): DailyState {
  return {
    rooms: new Map(),
    activeRecordings: new Map(),
    outbox: [],
    presence: new Map(),
    sessions: [],
    recordings: new Map(),
    fileSizes: new Map(),
    linked: new Set(),
    deleted: new Set(),
  };
}

function dailyError(status: number, type: string, info: string): Reply {
  return json(status, { error: type, info });
}

function dailyErrorReply(kind: ErrorKind, detail: string): Reply {
  switch (kind) {
    case 'unauthorized':
      return dailyError(401, 'authentication-error', detail);
    case 'not-found':
      return dailyError(404, 'not-found', detail);
    case 'bad-json':
      return dailyError(400, 'json-parsing-error', detail);
    case 'internal':
      return dailyError(500, 'server-error', detail);
  }
}

function invalidRequest(info: string): Reply {
  return dailyError(400, 'invalid-request-error', info);
}

function roomNotFound(name: string): Reply {
  return dailyError(404, 'not-found', `room ${name} not found`);
}

function restRoutes(state: DailyState, origins: { roomOrigin?: string; fileOrigin?: string }): Route[] {
  return [
    route('POST', '/rooms', ({ body, origin }) => createRoom(state, body, origins.roomOrigin ?? origin)),
    route('GET', '/rooms/:name', ({ params }) => {
      const stored = state.rooms.get(params.name);
      return stored ? json(200, stored.room) : roomNotFound(params.name);
    }),
    route('POST', '/rooms/:name', ({ params, body }) => updateRoom(state, params.name, body)),
    route('DELETE', '/rooms/:name', ({ params }) => deleteRoom(state, params.name)),
    route('POST', '/rooms/:name/recordings/start', ({ params, body }) => startRecording(state, params.name, body)),
    route('POST', '/rooms/:name/recordings/stop', ({ params, body }) => stopRecording(state, params.name, body)),
    route('GET', '/rooms/:name/presence', ({ params }) => {
      if (!state.rooms.has(params.name)) return roomNotFound(params.name);
      return json(200, listOf(presenceItems(state, params.name)));
    }),
    route('GET', '/presence', () => {
      const byRoom = [...state.presence.keys()].map((room) => [room, presenceItems(state, room)]);
      return json(200, Object.fromEntries(byRoom));
    }),
    route('POST', '/meeting-tokens', ({ body }) => createToken(body)),
    route('GET', '/meetings', ({ query }) => {
      const room = query.get('room');
      const sessions = room === null ? state.sessions : state.sessions.filter((session) => session.room === room);
      return json(200, listOf(sessions.map(meetingJson)));
    }),
    route('GET', '/recordings', ({ query }) => {
      const room = query.get('room_name');
      const recordings = room === null ? [...state.recordings.values()].flat() : (state.recordings.get(room) ?? []);
      return json(200, listOf(recordings));
    }),
    route('GET', '/recordings/:id', ({ params }) => {
      const recording = [...state.recordings.values()].flat().find((item) => item.id === params.id);
      return recording ? json(200, recording) : recordingNotFound(params.id);
    }),
    route('DELETE', '/recordings/:id', ({ params }) => deleteRecording(state, params.id)),
    route('GET', '/recordings/:id/access-link', ({ params, query, origin }) =>
      accessLink(state, params.id, query, origins.fileOrigin ?? origin),
    ),
  ];
}

/** Daily's network states (daily-js 0.92) and the deprecated `threshold` its frames still send beside them. */
const NETWORK_THRESHOLDS: Record<string, string> = { good: 'good', warning: 'low', bad: 'very-low' };

function controlRoutes(state: DailyState, frames: FrameMessages): Route[] {
  const framed = (body: unknown, post: (room: string, given: JsonObject) => JsonObject | string): Reply => {
    if (!isRecord(body) || typeof body.room !== 'string' || !state.rooms.has(body.room))
      return controlError(404, 'room must name a room of this stand-in');
    const message = post(body.room, body);
    if (typeof message === 'string') return controlError(400, message);
    frames.post(`/${body.room}`, { what: 'iframe-call-message', from: 'embedded', ...message });
    return noContent;
  };
  return [
    // What Daily's call in the frame tells daily-js: its network quality changed...
    route('POST', '/daily/frames/network-quality', ({ body }) =>
      framed(body, (_room, { state: networkState }) => {
        const threshold = typeof networkState === 'string' ? NETWORK_THRESHOLDS[networkState] : undefined;
        if (!threshold) return 'state must be good, warning or bad';
        return {
          action: 'network-quality-change',
          state: { state: networkState, reasons: [] },
          threshold,
          quality: 50,
        };
      }),
    ),
    // ... or the call failed for good (a join that fails is told so), PROVIDERS.md's fatal `error`.
    route('POST', '/daily/frames/fatal-error', ({ body }) =>
      framed(body, (_room, { type, errorMsg }) => {
        if (typeof type !== 'string') return 'type must be a fatal error type (connection-error, meeting-full, ...)';
        const text = typeof errorMsg === 'string' ? errorMsg : type;
        return { action: 'error', errorMsg: text, error: { type, msg: text } };
      }),
    ),
    route('PUT', '/daily/presence/:room', ({ params, body }) => {
      if (!state.rooms.has(params.room)) return controlError(404, `room ${params.room} not found`);
      const people = parsePresence(body);
      if (typeof people === 'string') return controlError(400, people);
      setPresence(state, params.room, people);
      return noContent;
    }),
    route('PUT', '/daily/recordings/:room', ({ params, body }) => {
      if (!isRecordArray(body)) return controlError(400, 'the body must be an array of recording objects');
      state.recordings.set(
        params.room,
        body.map((given) => completeRecording(params.room, given)),
      );
      return noContent;
    }),
    route('GET', '/daily/rooms', () =>
      json(
        200,
        [...state.rooms.values()].map(({ room, createBody }) => ({ ...room, createBody })),
      ),
    ),
    route('GET', '/daily/active-recordings/:room', ({ params }) =>
      json(
        200,
        [...(state.activeRecordings.get(params.room) ?? new Map())].map(([instanceId, active]) => ({
          instanceId,
          type: active.type,
        })),
      ),
    ),
    // The events Daily would have sent since the last call, for the caller to deliver (signed) to the service.
    route('POST', '/daily/outbox/take', () => json(200, state.outbox.splice(0))),
    route('PUT', '/daily/files/:id', ({ params, body }) => {
      const size = isRecord(body) ? body.size : undefined;
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
        return controlError(400, 'the body must be {size: bytes}');
      state.fileSizes.set(params.id, size);
      return noContent;
    }),
    route('GET', '/daily/files/:id/sha256', async ({ params }) => {
      const size = fileSize(state, params.id);
      const hash = createHash('sha256');
      await pipeline(fileBytes(params.id, 0, size), hash);
      return json(200, { sha256: hash.digest('hex'), size });
    }),
  ];
}

/** What the download links point at: the recording files, served like a CDN would (ranges, HEAD). */
function fileRoutes(state: DailyState): Route[] {
  return [
    route('GET', '/recordings/:id', ({ params, headers }) =>
      state.deleted.has(params.id)
        ? recordingNotFound(params.id)
        : serveFile(params.id, fileSize(state, params.id), headers.range),
    ),
  ];
}

function listOf(data: unknown[]): { total_count: number; data: unknown[] } {
  return { total_count: data.length, data };
}

// Rooms

function createRoom(state: DailyState, body: unknown, origin: string): Reply {
  const request = body ?? {};
  if (!isRecord(request)) return invalidRequest('the body must be a JSON object');
  const { name = randomRoomName(), privacy = 'public', properties = {} } = request;
  if (typeof name !== 'string' || !ROOM_NAME.test(name)) {
    return invalidRequest('name must be 1 to 128 characters of A-Z, a-z, 0-9, "-" and "_"');
  }
  if (privacy !== 'public' && privacy !== 'private') return invalidRequest('privacy must be "public" or "private"');
  if (!isRecord(properties)) return invalidRequest('properties must be an object');
  if (state.rooms.has(name)) return invalidRequest(`a room named ${name} already exists`);
  const room: DailyRoom = {
    id: randomUUID(),
    name,
    api_created: true,
    privacy,
    url: `${origin}/${name}`,
    created_at: new Date().toISOString(),
    config: properties,
  };
  state.rooms.set(name, { room, createBody: body });
  return json(200, room);
}

/** POST /rooms/:name: the properties given (a later exp, say) replace the room's; answers the room. */
function updateRoom(state: DailyState, name: string, body: unknown): Reply {
  const stored = state.rooms.get(name);
  if (!stored) return roomNotFound(name);
  const properties = isRecord(body) ? (body.properties ?? {}) : undefined;
  if (!isRecord(properties)) return invalidRequest('properties must be an object');
  if (properties.exp !== undefined && !Number.isInteger(properties.exp))
    return invalidRequest('exp must be unix seconds');
  stored.room.config = { ...stored.room.config, ...properties };
  return json(200, stored.room);
}

/**
 * Starts a recording of the room under its instance id (a room records one stream per instance:
 * a composite and raw tracks at once need two ids). Daily refuses a room made without recording,
 * and a second start of an instance already recording ("has an active stream").
 */
function startRecording(state: DailyState, name: string, body: unknown): Reply {
  const stored = state.rooms.get(name);
  if (!stored) return roomNotFound(name);
  const { type, instanceId = DEFAULT_INSTANCE_ID } = isRecord(body) ? body : {};
  if (typeof type !== 'string' || !RECORDING_TYPES.includes(type))
    return invalidRequest('type must be cloud, cloud-audio-only or raw-tracks');
  if (typeof instanceId !== 'string' || instanceId === '') return invalidRequest('instanceId must be a string');
  if (!RECORDING_TYPES.includes(String(stored.room.config.enable_recording)))
    return invalidRequest(`the room ${name} does not allow recordings`);
  const active = state.activeRecordings.get(name) ?? new Map<string, ActiveRecording>();
  if (active.has(instanceId)) return invalidRequest(`${name} has an active stream for instance ${instanceId}`);
  active.set(instanceId, { type, startMs: Date.now() });
  state.activeRecordings.set(name, active);
  return json(200, { status: 'sent' });
}

/**
 * Stops the instance's recording: it is finished, listed, and its `recording.ready-to-download`
 * waits in the outbox. A composite is one file; raw tracks are one file per person present
 * (one when nobody is), each at its own key, as Daily writes them into the room's bucket.
 */
function stopRecording(state: DailyState, name: string, body: unknown): Reply {
  if (!state.rooms.has(name)) return roomNotFound(name);
  const { instanceId = DEFAULT_INSTANCE_ID } = isRecord(body) ? body : {};
  const active = state.activeRecordings.get(name);
  const recording = typeof instanceId === 'string' ? active?.get(instanceId) : undefined;
  if (!active || !recording) return invalidRequest(`${name} has no active stream for instance ${String(instanceId)}`);
  active.delete(instanceId as string);
  const id = randomUUID();
  const startTs = Math.floor(recording.startMs / 1000);
  const duration = seconds(Date.now() - recording.startMs);
  const files =
    recording.type === 'raw-tracks'
      ? {
          tracks: (state.presence.get(name)?.map((person) => person.id) ?? ['participant']).map((person) => ({
            s3Key: `daily/${name}/${startTs}-${person}-cam-audio.webm`,
            type: 'cam-audio',
          })),
        }
      : { s3_key: `daily/${name}/${startTs}-${id}.mp4` };
  state.recordings.set(name, [
    ...(state.recordings.get(name) ?? []),
    completeRecording(name, { id, start_ts: startTs, duration, s3key: files.s3_key ?? null }),
  ]);
  state.outbox.push(
    webhookEvent('recording.ready-to-download', {
      type: recording.type,
      recording_id: id,
      room_name: name,
      start_ts: startTs,
      status: 'finished',
      max_participants: Math.max(1, state.presence.get(name)?.length ?? 0),
      duration,
      ...files,
    }),
  );
  return json(200, { status: 'sent' });
}

/** Daily's webhook envelope (PROVIDERS.md); `id` is unique per event. */
function webhookEvent(type: string, payload: JsonObject): JsonObject {
  return { version: '1.0.0', type, id: randomUUID(), payload, event_ts: Date.now() / 1000 };
}

function deleteRoom(state: DailyState, name: string): Reply {
  if (!state.rooms.delete(name)) return roomNotFound(name);
  state.activeRecordings.delete(name);
  // Deleting a room ejects everyone, which ends its meeting session.
  setPresence(state, name, []);
  return json(200, { deleted: true, name });
}

function randomRoomName(): string {
  return randomBytes(15).toString('base64url').replace(/[-_]/g, 'x');
}

// Meeting tokens

function createToken(body: unknown): Reply {
  const properties = isRecord(body) ? body.properties : undefined;
  if (!isRecord(properties)) return invalidRequest('properties must be an object');
  const { room_name: roomName, user_id: userId } = properties;
  if (typeof roomName !== 'string' || roomName === '') return invalidRequest('properties.room_name is required');
  if (userId !== undefined && (typeof userId !== 'string' || userId.length > MAX_USER_ID_LENGTH)) {
    return invalidRequest(`properties.user_id must be a string of at most ${MAX_USER_ID_LENGTH} characters`);
  }
  const payload = Buffer.from(JSON.stringify(properties)).toString('base64url');
  return json(200, { token: `${payload}.${randomBytes(16).toString('base64url')}` });
}

// Presence and the meeting sessions it implies

function parsePresence(body: unknown): Presence[] | string {
  if (!isRecordArray(body)) return 'the body must be an array of {id, userId?, userName?, joinTime?}';
  const now = Date.now();
  const people: Presence[] = [];
  for (const given of body) {
    const { id, userId, userName, joinTime } = given;
    if (typeof id !== 'string' || id === '') return 'every item needs a string id';
    if (people.some((person) => person.id === id)) return `id ${id} appears twice`;
    if (!isOptionalText(userId) || !isOptionalText(userName)) return 'userId and userName must be strings or null';
    const joinMs = joinTime === undefined ? now : parseDate(joinTime);
    if (joinMs === null) return 'joinTime must be an ISO-8601 date';
    people.push({ id, joinMs, given });
  }
  return people;
}

function isOptionalText(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function setPresence(state: DailyState, room: string, people: Presence[]): void {
  const now = Date.now();
  let session = state.sessions.find((candidate) => candidate.room === room && candidate.endMs === null);
  if (!session && people.length > 0) {
    session = openSession(room, people);
    state.sessions.push(session);
  }
  if (session) recordAttendance(session, people, now);
  if (people.length > 0) state.presence.set(room, people);
  else state.presence.delete(room);
}

function openSession(room: string, people: Presence[]): MeetingSession {
  return {
    id: randomUUID(),
    room,
    startMs: Math.min(...people.map((person) => person.joinMs)),
    endMs: null,
    maxParticipants: 0,
    participants: new Map(),
  };
}

function recordAttendance(session: MeetingSession, people: Presence[], now: number): void {
  const present = new Set(people.map((person) => person.id));
  for (const participant of session.participants.values()) {
    if (participant.leftMs === null && !present.has(participant.participantId)) participant.leftMs = now;
  }
  for (const person of people) {
    const known = session.participants.get(person.id);
    if (known) known.leftMs = null;
    else session.participants.set(person.id, toParticipant(person));
  }
  session.maxParticipants = Math.max(session.maxParticipants, people.length);
  if (people.length === 0) session.endMs = now;
}

function toParticipant(person: Presence): SessionParticipant {
  return {
    participantId: person.id,
    userId: person.given.userId ?? null,
    userName: person.given.userName ?? null,
    joinMs: person.joinMs,
    leftMs: null,
  };
}

function presenceItems(state: DailyState, room: string): JsonObject[] {
  const mtgSessionId = state.sessions.find((session) => session.room === room && session.endMs === null)?.id ?? null;
  const now = Date.now();
  return (state.presence.get(room) ?? []).map((person) => ({
    room,
    id: person.id,
    userId: null,
    userName: null,
    mtgSessionId,
    joinTime: new Date(person.joinMs).toISOString(),
    duration: seconds(now - person.joinMs),
    ...person.given,
  }));
}

function meetingJson(session: MeetingSession): JsonObject {
  const now = Date.now();
  return {
    id: session.id,
    room: session.room,
    start_time: Math.floor(session.startMs / 1000),
    duration: seconds((session.endMs ?? now) - session.startMs),
    ongoing: session.endMs === null,
    max_participants: session.maxParticipants,
    participants: [...session.participants.values()].map((participant) => ({
      user_id: participant.userId,
      participant_id: participant.participantId,
      user_name: participant.userName,
      join_time: Math.floor(participant.joinMs / 1000),
      duration: seconds((participant.leftMs ?? now) - participant.joinMs),
    })),
  };
}

function seconds(ms: number): number {
  return Math.max(0, Math.floor(ms / 1000));
}

// Recordings

function completeRecording(room: string, given: JsonObject): JsonObject {
  const startTs = typeof given.start_ts === 'number' ? given.start_ts : Math.floor(Date.now() / 1000);
  const hasKey = 's3key' in given || 's3Key' in given;
  return {
    id: randomUUID(),
    room_name: room,
    start_ts: startTs,
    status: 'finished',
    max_participants: 1,
    duration: 0,
    ...(hasKey ? {} : { s3key: `local/${room}/${startTs}` }),
    mtgSessionId: randomUUID(),
    ...given,
  };
}

function recordingNotFound(id: string): Reply {
  return dailyError(404, 'not-found', `recording ${id} not found`);
}

/** Daily has a recording it listed, or whose file or link it gave out, until it is deleted. */
function hasRecording(state: DailyState, id: string): boolean {
  if (state.deleted.has(id)) return false;
  return (
    state.linked.has(id) ||
    state.fileSizes.has(id) ||
    [...state.recordings.values()].some((list) => list.some((item) => item.id === id))
  );
}

function deleteRecording(state: DailyState, id: string): Reply {
  if (!hasRecording(state, id)) return recordingNotFound(id);
  state.deleted.add(id);
  for (const [room, list] of state.recordings)
    state.recordings.set(
      room,
      list.filter((item) => item.id !== id),
    );
  return json(200, { deleted: true, id });
}

// Recording files: download links and the bytes behind them

function accessLink(state: DailyState, id: string, query: URLSearchParams, origin: string): Reply {
  const given = query.get('valid_for_secs');
  const seconds = given === null ? DEFAULT_LINK_SECONDS : Number(given);
  if (!Number.isInteger(seconds) || seconds < 1) return invalidRequest('valid_for_secs must be a positive integer');
  if (state.deleted.has(id)) return recordingNotFound(id);
  state.linked.add(id);
  // Any id has a file (of the default size unless set), so a local recording always downloads.
  // Like Daily's, the link carries its expiry (which the files here do not check).
  const expires = Math.floor(Date.now() / 1000) + seconds;
  return json(200, {
    download_link: `${origin}/__files/recordings/${encodeURIComponent(id)}?expires=${expires}`,
    expires,
  });
}

function fileSize(state: DailyState, id: string): number {
  return state.fileSizes.get(id) ?? DEFAULT_FILE_SIZE;
}

function serveFile(id: string, size: number, range: string | undefined): Reply {
  const headers = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes' };
  const wanted = range === undefined ? null : parseRange(range, size);
  if (wanted === 'unsatisfiable') {
    return {
      status: 416,
      body: '',
      headers: { ...headers, 'content-range': `bytes */${size}`, 'content-length': '0' },
    };
  }
  if (wanted === null) {
    return { status: 200, body: fileBytes(id, 0, size), headers: { ...headers, 'content-length': String(size) } };
  }
  const { start, end } = wanted;
  return {
    status: 206,
    body: fileBytes(id, start, end + 1),
    headers: {
      ...headers,
      'content-length': String(end + 1 - start),
      'content-range': `bytes ${start}-${end}/${size}`,
    },
  };
}

/**
 * One `bytes=a-b`, `bytes=a-` or `bytes=-n` range, as inclusive offsets; null when the header is
 * not one such range (the whole file is then sent, as HTTP allows).
 */
function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const found = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!found || (found[1] === '' && found[2] === '')) return null;
  const [first, last] = [found[1] ?? '', found[2] ?? ''];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}

const FILE_CHUNK = 64 * 1024;
const AES_BLOCK = 16;

/**
 * Bytes [start, end) of the file of `id`: an AES-256-CTR keystream keyed by the id's hash, so the
 * content is pseudo-random, the same on every request, and any offset is reached directly (the
 * counter of block n is n) without generating what comes before. Made chunk by chunk as read.
 */
function fileBytes(id: string, start: number, end: number): Readable {
  const key = createHash('sha256').update(`daily-recording:${id}`).digest();
  const firstBlock = Math.floor(start / AES_BLOCK);
  const counter = Buffer.alloc(AES_BLOCK);
  counter.writeBigUInt64BE(BigInt(firstBlock), 8);
  const cipher = createCipheriv('aes-256-ctr', key, counter);
  const zeros = Buffer.alloc(FILE_CHUNK);
  let skip = start - firstBlock * AES_BLOCK;
  let left = end - start;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const produced = cipher.update(zeros.subarray(0, Math.min(FILE_CHUNK, left + skip)));
      const chunk = produced.subarray(skip);
      skip = 0;
      left -= chunk.byteLength;
      this.push(chunk);
    },
  });
}
