import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type Room } from '../../client/api.ts';
import { RoomForm, type RoomSaver } from '../../client/pages/RoomForm.tsx';
import { room } from './fixtures.ts';

function saver(
  overrides: Partial<RoomSaver> = {},
): RoomSaver & { createRoom: ReturnType<typeof vi.fn>; updateRoom: ReturnType<typeof vi.fn> } {
  return {
    createRoom: vi.fn(async (input) => room({ ...input, platform: input.platform ?? 'whereby' } as Partial<Room>)),
    updateRoom: vi.fn(async (_id, patch) => room(patch as Partial<Room>)),
    ...overrides,
  } as never;
}

const field = (label: string | RegExp) => screen.getByLabelText(label) as HTMLInputElement;

describe('the room form', () => {
  it('creates a room with every setting, the platform chosen for it', async () => {
    const save = saver();
    const onSaved = vi.fn();
    render(<RoomForm saver={save} onSaved={onSaved} onCancel={vi.fn()} />);
    fireEvent.input(field('Room name'), { target: { value: 'design-review' } });
    fireEvent.click(screen.getByLabelText('Daily'));
    fireEvent.change(field('Recording'), { target: { value: 'local' } });
    fireEvent.change(field('Recording starts'), { target: { value: 'prompt' } });
    fireEvent.change(field('Meeting size'), { target: { value: 'group' } });
    fireEvent.click(field("Keep each person's tracks separately"));
    fireEvent.click(field('Locked'));
    fireEvent.click(field('Shared'));
    fireEvent.click(field("Don't ask for recording consent"));
    fireEvent.click(screen.getByRole('button', { name: 'Create room' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(save.createRoom).toHaveBeenCalledExactlyOnceWith({
      name: 'design-review',
      platform: 'daily',
      recording_type: 'local',
      recording_trigger: 'prompt',
      room_mode: 'group',
      is_locked: true,
      is_shared: true,
      skip_consent: true,
      raw_tracks: true,
    });
  });

  it('leaves the platform to the service unless one is chosen', async () => {
    const save = saver();
    render(<RoomForm saver={save} onSaved={vi.fn()} onCancel={vi.fn()} />);
    expect((screen.getByLabelText("The service's default") as HTMLInputElement).checked).toBe(true);
    fireEvent.input(field('Room name'), { target: { value: 'plain' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create room' }));
    await waitFor(() => expect(save.createRoom).toHaveBeenCalled());
    expect(save.createRoom.mock.calls[0]?.[0]).not.toHaveProperty('platform');
  });

  it('shows the API’s 422 next to the field it names, and moves focus there', async () => {
    const rule = 'a room name is 1 to 64 lower-case letters, digits and hyphens';
    const save = saver({
      createRoom: vi.fn().mockRejectedValue(new ApiError(422, `name: ${rule}`, { code: 'validation', field: 'name' })),
    });
    render(<RoomForm saver={save} onSaved={vi.fn()} onCancel={vi.fn()} />);
    fireEvent.input(field('Room name'), { target: { value: 'Bad Name' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create room' }));
    const name = field('Room name');
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    const error = document.getElementById('room-name-error');
    expect(error?.textContent).toContain('A room name is 1 to 64 lower-case letters');
    expect(name.getAttribute('aria-describedby')).toContain('room-name-error');
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect(screen.queryByRole('alert')).toBeNull();
    // Typing again clears the message.
    fireEvent.input(name, { target: { value: 'good-name' } });
    expect(name.getAttribute('aria-invalid')).toBeNull();
  });

  it('shows a taken name (409) next to the name', async () => {
    const save = saver({
      createRoom: vi.fn().mockRejectedValue(new ApiError(409, 'A room named "x" already exists; choose another name.')),
    });
    render(<RoomForm saver={save} onSaved={vi.fn()} onCancel={vi.fn()} />);
    fireEvent.input(field('Room name'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create room' }));
    await waitFor(() => expect(document.getElementById('room-name-error')?.textContent).toContain('already exists'));
  });

  it('shows an error that names no field above the form', async () => {
    const save = saver({
      createRoom: vi
        .fn()
        .mockRejectedValue(new ApiError(503, 'The service is not configured for this: AUTH_JWKS_URL is not set.')),
    });
    render(<RoomForm saver={save} onSaved={vi.fn()} onCancel={vi.fn()} />);
    fireEvent.input(field('Room name'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create room' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('AUTH_JWKS_URL'));
  });

  it('sends only the changed settings of a room, and warns when the change starts a new meeting', async () => {
    const save = saver();
    const onSaved = vi.fn();
    render(<RoomForm room={room({ platform: 'whereby' })} saver={save} onSaved={onSaved} onCancel={vi.fn()} />);
    expect(screen.queryByLabelText("The service's default")).toBeNull();
    expect(screen.queryByRole('note')).toBeNull();
    fireEvent.click(screen.getByLabelText('Daily'));
    expect(screen.getByRole('note').textContent).toContain('starts a new meeting');
    fireEvent.click(field('Shared'));
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(save.updateRoom).toHaveBeenCalledExactlyOnceWith('room-1', { platform: 'daily', is_shared: true });
    expect(onSaved.mock.calls[0]?.[1]).toBe(true);
  });

  // SPEC §4: a change to a setting that shapes the meeting retires the active one. Raw tracks is
  // one (the Worker compares it), and the form once left it out of its own list.
  it.each<[string, () => void]>([
    ['the platform', () => fireEvent.click(screen.getByLabelText('Daily'))],
    ['the recording', () => fireEvent.change(field('Recording'), { target: { value: 'local' } })],
    ['when recording starts', () => fireEvent.change(field('Recording starts'), { target: { value: 'prompt' } })],
    ['the meeting size', () => fireEvent.change(field('Meeting size'), { target: { value: 'group' } })],
    ['the lock', () => fireEvent.click(field('Locked'))],
    ['separate tracks', () => fireEvent.click(field("Keep each person's tracks separately"))],
  ])('warns that changing %s starts a new meeting', (_, change) => {
    render(<RoomForm room={room()} saver={saver()} onSaved={vi.fn()} onCancel={vi.fn()} />);
    expect(screen.queryByRole('note')).toBeNull();
    change();
    expect(screen.getByRole('note').textContent).toContain('starts a new meeting');
  });

  it.each<[string, () => void]>([
    ['the name', () => fireEvent.input(field('Room name'), { target: { value: 'renamed' } })],
    ['sharing', () => fireEvent.click(field('Shared'))],
    ['the consent question', () => fireEvent.click(field("Don't ask for recording consent"))],
  ])('does not warn when only %s changes', (_, change) => {
    render(<RoomForm room={room()} saver={saver()} onSaved={vi.fn()} onCancel={vi.fn()} />);
    change();
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('sends nothing when nothing changed', async () => {
    const save = saver();
    const onSaved = vi.fn();
    render(<RoomForm room={room()} saver={save} onSaved={onSaved} onCancel={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(expect.objectContaining({ id: 'room-1' }), false));
    expect(save.updateRoom).not.toHaveBeenCalled();
  });
});
