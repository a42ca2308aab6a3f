import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import {
  PLATFORM_NAMES,
  PLATFORMS,
  type Platform,
  RETIRING_SETTINGS,
  type RecordingTrigger,
  type RecordingType,
  ROOM_DEFAULTS,
  type RoomMode,
} from '../../domain/rooms.ts';
import { api, type Room, type RoomInput, type RoomPatch, toApiError } from '../api.ts';
import { WebhookTest } from './WebhookTest.tsx';

// Every room setting of SPEC §4, the platform included. The API is the one judge of what is
// valid: its 422 names the field, and the message is shown next to that field.

/** The settings this form edits; a setting the API adds later is left as it is by an edit. */
type Settings = Pick<
  Room,
  | 'name'
  | 'room_mode'
  | 'recording_type'
  | 'recording_trigger'
  | 'is_locked'
  | 'is_shared'
  | 'skip_consent'
  | 'raw_tracks'
> & {
  platform: Platform | 'default';
  /** '' for none: the API's null. */
  webhook_url: string;
  webhook_secret: string;
};
type Field = keyof Settings;

const FIELDS: readonly Field[] = [
  'name',
  'platform',
  'room_mode',
  'recording_type',
  'recording_trigger',
  'raw_tracks',
  'is_locked',
  'is_shared',
  'skip_consent',
  'webhook_url',
  'webhook_secret',
];

const NEW_ROOM: Settings = { name: '', platform: 'default', ...ROOM_DEFAULTS, webhook_url: '', webhook_secret: '' };

// Each choice in the words the form offers it, in the order it offers them: a value the domain
// adds fails typecheck here until it has its words.
const RECORDING_TYPES: Record<RecordingType, string> = {
  none: 'Not recorded',
  local: 'Recorded by a participant, locally',
  cloud: 'Recorded in the cloud, transcribed',
};
const RECORDING_TRIGGERS: Record<RecordingTrigger, string> = {
  'automatic-2nd-participant': 'When a second person joins',
  automatic: 'As soon as the meeting starts',
  prompt: 'The host is asked at the start',
  none: 'Only when someone starts it',
};
const ROOM_MODES: Record<RoomMode, string> = {
  normal: 'Normal: small meetings',
  group: 'Group: large meetings',
};

export interface RoomSaver {
  createRoom(input: RoomInput): Promise<Room>;
  updateRoom(id: string, patch: RoomPatch): Promise<Room>;
}

interface RoomFormProps {
  /** The room to edit; a new room when absent. */
  room?: Room;
  onSaved(room: Room, changed: boolean): void;
  onCancel(): void;
  saver?: RoomSaver;
  /** Sends the saved room's test webhook. */
  tester?: Pick<typeof api, 'testWebhook'>;
}

export function RoomForm({ room, onSaved, onCancel, saver = api, tester = api }: RoomFormProps) {
  const initial: Settings = room ? { ...pick(room), platform: room.platform } : NEW_ROOM;
  const [values, setValues] = useState<Settings>(initial);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [secretShown, setSecretShown] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const set = <F extends Field>(field: F, value: Settings[F]) => {
    setValues((current) => ({ ...current, [field]: value }));
    setErrors((current) => ({ ...current, [field]: undefined }));
  };
  /** Ties a control to its field of the form: its value, its error, and how it changes. */
  const bound = <F extends Field>(field: F) => ({
    field,
    value: values[field],
    error: errors[field],
    onChange: (value: Settings[F]) => set(field, value),
  });

  async function submit(event: Event) {
    event.preventDefault();
    setErrors({});
    setFormError(null);
    const changed = room ? FIELDS.filter((field) => values[field] !== initial[field]) : FIELDS;
    if (room && changed.length === 0) {
      onSaved(room, false);
      return;
    }
    setSaving(true);
    try {
      const saved = room
        ? await saver.updateRoom(room.id, patchOf(values, changed))
        : await saver.createRoom(inputOf(values));
      onSaved(saved, true);
    } catch (caught) {
      const error = toApiError(caught, 'The room could not be saved; try again.');
      const field = error.status === 409 ? 'name' : error.fieldIn(FIELDS);
      if (field) {
        setErrors({ [field]: withoutField(error.detail, field) });
        // The field with the problem gets focus, so its message is read out with it.
        requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`[name="${field}"]`)?.focus());
      } else {
        setFormError(error.detail);
      }
    } finally {
      setSaving(false);
    }
  }

  // A change to one of these retires the room's active meeting (SPEC §4): say so before saving.
  const reshapes = room && RETIRING_SETTINGS.some((field) => values[field] !== initial[field]);
  const id = (field: Field) => `room-${field}`;
  const describedBy = (field: Field, hint: boolean) =>
    [hint ? `${id(field)}-hint` : '', errors[field] ? `${id(field)}-error` : ''].filter(Boolean).join(' ') || undefined;

  // Shown in clear only when asked; the same input either way.
  const secretInput = {
    id: id('webhook_secret'),
    name: 'webhook_secret',
    value: values.webhook_secret,
    onInput: (event: { currentTarget: HTMLInputElement }) => set('webhook_secret', event.currentTarget.value),
    autocomplete: 'off',
    spellcheck: false,
    'aria-invalid': errors.webhook_secret ? true : undefined,
    'aria-describedby': describedBy('webhook_secret', true),
  };

  return (
    <form ref={form} class="room-form" onSubmit={submit} noValidate>
      {formError && (
        <p class="form-error" role="alert">
          {formError}
        </p>
      )}
      <div class="field">
        <label for={id('name')}>Room name</label>
        <input
          id={id('name')}
          name="name"
          value={values.name}
          onInput={(event) => set('name', event.currentTarget.value)}
          required
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={describedBy('name', true)}
          data-autofocus
        />
        <p class="hint" id={`${id('name')}-hint`}>
          Lower-case letters, digits and hyphens. The room's link is {location.host}/{values.name || 'name'}
        </p>
        <FieldError id={`${id('name')}-error`} message={errors.name} />
      </div>

      <fieldset class="field" aria-describedby={describedBy('platform', false)}>
        <legend>Video platform</legend>
        <div class="choices">
          {!room && (
            <Choice
              name="platform"
              value="default"
              checked={values.platform === 'default'}
              onPick={() => set('platform', 'default')}
              label="The service's default"
            />
          )}
          {PLATFORMS.map((platform) => (
            <Choice
              key={platform}
              name="platform"
              value={platform}
              checked={values.platform === platform}
              onPick={() => set('platform', platform)}
              label={PLATFORM_NAMES[platform]}
            />
          ))}
        </div>
        <FieldError id={`${id('platform')}-error`} message={errors.platform} />
      </fieldset>

      <SelectField label="Recording" options={RECORDING_TYPES} {...bound('recording_type')} />
      <SelectField label="Recording starts" options={RECORDING_TRIGGERS} {...bound('recording_trigger')} />
      <Check
        {...bound('raw_tracks')}
        label="Keep each person's tracks separately"
        hint="Daily only: each participant's tracks as files of their own instead of one recording (needs Daily to write into the bucket: AWS_DAILY_ROLE_ARN)."
      />
      <SelectField label="Meeting size" options={ROOM_MODES} {...bound('room_mode')} />

      <fieldset class="field">
        <legend>Access and consent</legend>
        <Check {...bound('is_locked')} label="Locked" hint="People knock, and the host lets them in." />
        <Check {...bound('is_shared')} label="Shared" hint="Other signed-in people see this room in their list." />
        <Check
          {...bound('skip_consent')}
          label="Don't ask for recording consent"
          hint="Only when consent is collected some other way."
        />
      </fieldset>

      <fieldset class="field">
        <legend>Webhook</legend>
        <div class="field">
          <label for={id('webhook_url')}>Webhook URL</label>
          <input
            id={id('webhook_url')}
            name="webhook_url"
            type="url"
            inputMode="url"
            value={values.webhook_url}
            onInput={(event) => set('webhook_url', event.currentTarget.value)}
            placeholder="https://example.com/hooks/meetings"
            autocomplete="off"
            spellcheck={false}
            aria-invalid={errors.webhook_url ? true : undefined}
            aria-describedby={describedBy('webhook_url', true)}
          />
          <p class="hint" id={`${id('webhook_url')}-hint`}>
            Signed events about this room's meetings and recordings are sent here. Leave empty for none.
          </p>
          <FieldError id={`${id('webhook_url')}-error`} message={errors.webhook_url} />
        </div>
        <div class="field">
          <label for={id('webhook_secret')}>Webhook secret</label>
          <div class="secret">
            {secretShown ? <input type="text" {...secretInput} /> : <input type="password" {...secretInput} />}
            <button
              type="button"
              class="btn btn-small"
              aria-pressed={secretShown}
              aria-controls={id('webhook_secret')}
              onClick={() => setSecretShown((shown) => !shown)}
            >
              {secretShown ? 'Hide' : 'Show'}
            </button>
          </div>
          <p class="hint" id={`${id('webhook_secret')}-hint`}>
            Each event is signed with it (X-Webhook-Signature), so the receiver knows it came from here.
          </p>
          <FieldError id={`${id('webhook_secret')}-error`} message={errors.webhook_secret} />
        </div>
        {room?.webhook_url && <WebhookTest roomId={room.id} client={tester} />}
      </fieldset>

      {reshapes && (
        <p class="notice" role="note">
          Changing the platform, recording, meeting size or lock starts a new meeting the next time someone joins.
        </p>
      )}
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : room ? 'Save changes' : 'Create room'}
        </button>
        <button type="button" class="btn" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function pick(room: Room): Omit<Settings, 'platform'> {
  const { name, room_mode, recording_type, recording_trigger, is_locked, is_shared, skip_consent, raw_tracks } = room;
  return {
    name,
    room_mode,
    recording_type,
    recording_trigger,
    is_locked,
    is_shared,
    skip_consent,
    raw_tracks,
    webhook_url: room.webhook_url ?? '',
    webhook_secret: room.webhook_secret ?? '',
  };
}

/** A field's value as the API takes it: the name trimmed, an empty webhook field null. */
function apiValue(values: Settings, field: Field) {
  if (field === 'name') return values.name.trim();
  if (field === 'webhook_url' || field === 'webhook_secret') return values[field].trim() || null;
  return values[field];
}

function inputOf(values: Settings): RoomInput {
  const { platform, webhook_url, webhook_secret, ...rest } = values;
  // An empty webhook field is left out: a new room has none.
  const webhook = Object.fromEntries(
    (['webhook_url', 'webhook_secret'] as const).flatMap((field) => {
      const value = apiValue(values, field);
      return value ? [[field, value]] : [];
    }),
  );
  return { ...rest, ...webhook, name: rest.name.trim(), ...(platform === 'default' ? {} : { platform }) };
}

function patchOf(values: Settings, changed: readonly Field[]): RoomPatch {
  const patch: Record<string, unknown> = {};
  for (const field of changed) patch[field] = apiValue(values, field);
  return patch as RoomPatch;
}

/** "name: a room name is …" → "A room name is …" */
function withoutField(detail: string, field: string): string {
  const text = detail.startsWith(`${field}: `) ? detail.slice(field.length + 2) : detail;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="field-error" id={id}>
      <span aria-hidden="true">⚠ </span>
      {message}
    </p>
  );
}

function Choice({
  name,
  value,
  checked,
  onPick,
  label,
}: {
  name: string;
  value: string;
  checked: boolean;
  onPick(): void;
  label: string;
}) {
  return (
    <label class="choice">
      <input type="radio" name={name} value={value} checked={checked} onChange={onPick} />
      <span>{label}</span>
    </label>
  );
}

function SelectField<V extends string>(props: {
  label: string;
  field: Field;
  options: Record<V, string>;
  value: V;
  error: string | undefined;
  onChange(value: V): void;
}) {
  const id = `room-${props.field}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.field}
        value={props.value}
        onChange={(event) => props.onChange(event.currentTarget.value as V)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      >
        {Object.entries<string>(props.options).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} message={props.error} />
    </div>
  );
}

function Check(props: {
  field: Field;
  label: string;
  hint: ComponentChildren;
  value: boolean;
  error: string | undefined;
  onChange(value: boolean): void;
}) {
  const id = `room-${props.field}`;
  return (
    <div class="check">
      <input
        type="checkbox"
        id={id}
        name={props.field}
        checked={props.value}
        onChange={(event) => props.onChange(event.currentTarget.checked)}
        aria-describedby={[`${id}-hint`, props.error ? `${id}-error` : ''].filter(Boolean).join(' ')}
        aria-invalid={props.error ? true : undefined}
      />
      <div>
        <label for={id}>{props.label}</label>
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
        <FieldError id={`${id}-error`} message={props.error} />
      </div>
    </div>
  );
}
