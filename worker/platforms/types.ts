import type { Platform, RecordingTrigger, RecordingType, RoomMode } from '../../domain/rooms';
import type { Meeting } from '../db/schema';

/** What a meeting is created from: the room's settings when the meeting starts. */
export interface MeetingRequest {
  /** Our room's name; providers derive their own room names from it. */
  roomName: string;
  start: Date;
  end: Date;
  isLocked: boolean;
  roomMode: RoomMode;
  recordingType: RecordingType;
  recordingTrigger: RecordingTrigger;
  /** Daily: one file per participant's track rather than a composite. */
  rawTracks: boolean;
}

export interface CreatedMeeting {
  /** The provider's id: Whereby's meetingId, Daily's room id. */
  platformMeetingId: string;
  /** The provider's room name, without Whereby's leading slash. */
  roomName: string;
  roomUrl: string;
  /** Whereby's host link; Daily has none (the owner gets a token instead), so the room URL. */
  hostRoomUrl: string;
  /** The provider writes the meeting's cloud recordings straight into our bucket (no copy). */
  recordsToBucket: boolean;
}

interface PresentParticipant {
  id: string;
  userId?: string;
  userName?: string;
  joinedAt?: string;
}

export interface RoomActivity {
  /** Someone is in the room now. */
  ongoing: boolean;
  /** Who is there, where the provider says (Daily's presence); undefined where it does not. */
  participants?: PresentParticipant[];
}

/** A recording the provider finished, as its recordings API lists it. */
export interface FinishedRecording {
  recordingId: string;
  startedAt: number;
  durationS?: number;
  providerKey?: string;
}

/** A signed-in person joining a meeting: who they are, and what the meeting lets them do. */
export interface JoiningPerson {
  /** Their `sub`. */
  userId: string;
  /** How they are known in the call: the token's `name`, where it has one. */
  userName: string | null;
  isOwner: boolean;
  /** The provider's own recording controls are shown (not where our consent question asks first). */
  recordingUi: boolean;
}

/** What one person joins with; the host link reaches the room's owner only. */
export interface PersonLinks {
  roomUrl: string;
  hostRoomUrl: string | null;
}

/** Which recording a start asks for, by its own instance id: a composite and raw tracks may run at once. */
export interface RecordingInstance {
  type: 'cloud' | 'raw-tracks';
  instanceId: string;
}

/** The meeting fields a provider call needs. */
export type MeetingRef = Pick<Meeting, 'platformMeetingId' | 'roomName' | 'roomUrl' | 'hostRoomUrl' | 'endDate'>;

/** One video provider. Everything outside platforms/ speaks only this. */
export interface VideoPlatform {
  readonly name: Platform;
  createMeeting(request: MeetingRequest): Promise<CreatedMeeting>;
  /** Whether the meeting's room is in use, and by whom where the provider tells. */
  activity(meeting: MeetingRef): Promise<RoomActivity>;
  /**
   * Moves the end of the meeting's room to `end`, where the provider can (Daily's exp); people
   * in it stay, and others can still join until then.
   */
  extendMeeting?(meeting: MeetingRef, end: Date): Promise<void>;
  /** Ends the meeting at the provider, ejecting everyone; a meeting already gone is no error. */
  endMeeting(meeting: MeetingRef): Promise<void>;
  /**
   * The links that let a signed-in person in as themselves: the owner as its host, and everyone
   * by name where the provider names people (Daily's meeting token).
   */
  personLinks(meeting: MeetingRef, person: JoiningPerson): Promise<PersonLinks>;
  /**
   * The meeting's finished recordings that wait to be copied, for providers that keep them
   * (Daily); absent where recordings go straight to the bucket (Whereby).
   */
  finishedRecordings?(meeting: MeetingRef): Promise<FinishedRecording[]>;
  /** A short-lived link to download a finished recording, where the provider keeps them (Daily). */
  recordingDownloadLink?(recordingId: string): Promise<string>;
  /**
   * Deletes the provider's own copy of a finished recording, where it keeps one (Daily): once
   * ours is stored, or the audio was declined. A recording already gone is no error.
   */
  deleteRecording?(recordingId: string): Promise<void>;
  /**
   * Starts a recording of the meeting, for providers that do not start it on the room's trigger
   * by themselves (Daily); absent where the provider does (Whereby's startTrigger). Without an
   * instance: the type the room was made for, under the provider's default instance. Answers
   * `already-active` when that instance is recording already (someone else started it).
   */
  startRecording?(
    meeting: Pick<Meeting, 'roomName' | 'rawTracks'>,
    instance?: RecordingInstance,
  ): Promise<'started' | 'already-active'>;
}
