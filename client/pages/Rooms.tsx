import { useCallback, useEffect, useState } from 'preact/hooks';
import { PLATFORM_NAMES, type RecordingType } from '../../domain/rooms.ts';
import { type ApiError, api, type Room, type RoomList, toApiError } from '../api.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Link } from '../ui/Link.tsx';
import { Loading, Problem } from '../ui/Status.tsx';
import { RoomForm } from './RoomForm.tsx';
import { PAGE_SIZE, takePrefetchedRooms } from './rooms-prefetch.ts';
import { WebhookFailures } from './WebhookFailures.tsx';

type ListState = { kind: 'loading' } | { kind: 'failed'; error: ApiError } | { kind: 'ready'; list: RoomList };
type Editing = { mode: 'create' } | { mode: 'edit'; room: Room } | null;

const RECORDING: Record<RecordingType, string> = {
  none: 'not recorded',
  local: 'recorded locally',
  cloud: 'recorded in the cloud',
};

const joinLink = (name: string) => `${location.origin}/${name}`;

/** `/rooms`: the signed-in user's rooms and the shared ones; create, edit, delete, copy a link. */
export function RoomsPage() {
  const [page, setPage] = useState(1);
  const [state, setState] = useState<ListState>({ kind: 'loading' });
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Room | null>(null);
  const [notice, setNotice] = useState('');
  const [reloads, setReloads] = useState(0);

  const reload = useCallback(() => setReloads((n) => n + 1), []);

  useEffect(() => {
    let current = true;
    setState((previous) => (previous.kind === 'ready' ? previous : { kind: 'loading' }));
    const prefetched = page === 1 ? takePrefetchedRooms() : null;
    (prefetched ?? api.listRooms(page, PAGE_SIZE)).then(
      (list) => {
        if (!current) return;
        // A page emptied by a delete: show the one before it.
        if (list.items.length === 0 && page > 1) setPage(page - 1);
        else setState({ kind: 'ready', list });
      },
      (error: unknown) => current && setState({ kind: 'failed', error: toApiError(error, String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [page, reloads]);

  async function copy(room: Room) {
    const link = joinLink(room.name);
    try {
      await navigator.clipboard.writeText(link);
      setNotice(`Copied the link to ${room.name}: ${link}`);
    } catch {
      setNotice(`Copying is not allowed here. The link to ${room.name} is ${link}`);
    }
  }

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Your rooms</h1>
        <button type="button" class="btn btn-primary" onClick={() => setEditing({ mode: 'create' })}>
          New room
        </button>
      </div>
      <p class="notice-line" role="status" aria-live="polite">
        {notice}
      </p>
      <RoomsList
        state={state}
        page={page}
        onPage={setPage}
        onRetry={reload}
        onCreate={() => setEditing({ mode: 'create' })}
        onEdit={(room) => setEditing({ mode: 'edit', room })}
        onDelete={setDeleting}
        onCopy={copy}
        onResent={(message) => {
          setNotice(message);
          reload();
        }}
      />
      <Dialog
        open={editing !== null}
        title={editing?.mode === 'edit' ? `Edit ${editing.room.name}` : 'New room'}
        onClose={() => setEditing(null)}
        class="wide"
      >
        {editing && (
          <RoomForm
            key={editing.mode === 'edit' ? editing.room.id : 'new'}
            room={editing.mode === 'edit' ? editing.room : undefined}
            onCancel={() => setEditing(null)}
            onSaved={(room, changed) => {
              setEditing(null);
              setNotice(changed ? `Saved ${room.name}.` : 'Nothing was changed.');
              if (editing.mode === 'create') setPage(1);
              reload();
            }}
          />
        )}
      </Dialog>
      <DeleteRoom
        room={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(room) => {
          setDeleting(null);
          setNotice(`Deleted ${room.name}.`);
          reload();
        }}
      />
    </>
  );
}

function RoomsList(props: {
  state: ListState;
  page: number;
  onPage(page: number): void;
  onRetry(): void;
  onCreate(): void;
  onEdit(room: Room): void;
  onDelete(room: Room): void;
  onCopy(room: Room): void;
  onResent(message: string): void;
}) {
  const { state } = props;
  if (state.kind === 'loading') return <Loading>Loading your rooms…</Loading>;
  if (state.kind === 'failed') return <ListProblem error={state.error} onRetry={props.onRetry} />;
  const { items, total, page, size } = state.list;
  if (total === 0)
    return (
      <div class="empty card">
        <h2>No rooms yet</h2>
        <p>A room gets a link that stays the same; a meeting starts in it whenever someone joins.</p>
        <button type="button" class="btn btn-primary" onClick={props.onCreate}>
          Create your first room
        </button>
      </div>
    );
  const pages = Math.max(1, Math.ceil(total / size));
  return (
    <>
      <ul class="room-list" aria-label="Rooms">
        {items.map((room) => (
          <li key={room.id} class="room-item card">
            <div class="room-main">
              <h2 class="room-title">
                <Link href={`/${room.name}`}>{room.name}</Link>
              </h2>
              <p class="meta">
                <span class={`badge badge-${room.platform}`}>{PLATFORM_NAMES[room.platform]}</span>{' '}
                {RECORDING[room.recording_type]}
                {room.recording_type === 'cloud' && room.skip_consent ? ', no consent question' : ''}
                {room.is_locked ? ' · locked' : ''}
                {room.is_shared ? ' · shared' : ''} · owner {room.user_id}
              </p>
              <WebhookFailures room={room} onResent={props.onResent} />
            </div>
            <div class="room-actions">
              <button
                type="button"
                class="btn btn-small"
                onClick={() => props.onCopy(room)}
                aria-label={`Copy the link to ${room.name}`}
              >
                Copy link
              </button>
              <button
                type="button"
                class="btn btn-small"
                onClick={() => props.onEdit(room)}
                aria-label={`Edit ${room.name}`}
              >
                Edit
              </button>
              <button
                type="button"
                class="btn btn-small btn-danger"
                onClick={() => props.onDelete(room)}
                aria-label={`Delete ${room.name}`}
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
      {pages > 1 && (
        <nav class="pager" aria-label="Pages of rooms">
          <button type="button" class="btn" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
            Previous
          </button>
          <span>
            Page {page} of {pages} ({total} rooms)
          </span>
          <button type="button" class="btn" disabled={page >= pages} onClick={() => props.onPage(page + 1)}>
            Next
          </button>
        </nav>
      )}
    </>
  );
}

function ListProblem({ error, onRetry }: { error: ApiError; onRetry(): void }) {
  if (error.status === 401)
    return (
      <Problem
        title="Sign in to see your rooms"
        actions={
          <button type="button" class="btn btn-primary" onClick={() => location.reload()}>
            Sign in
          </button>
        }
      >
        <p>{error.detail}</p>
      </Problem>
    );
  return (
    <Problem
      title="Your rooms could not be loaded"
      actions={
        <button type="button" class="btn btn-primary" onClick={onRetry}>
          Try again
        </button>
      }
    >
      <p>{error.detail}</p>
    </Problem>
  );
}

function DeleteRoom({ room, onClose, onDeleted }: { room: Room | null; onClose(): void; onDeleted(room: Room): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setError(null), [room]);
  async function confirm() {
    if (!room) return;
    setBusy(true);
    setError(null);
    try {
      await api.deleteRoom(room.id);
      onDeleted(room);
    } catch (caught) {
      setError(toApiError(caught, 'The room could not be deleted; try again.').detail);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      open={room !== null}
      title={room ? `Delete ${room.name}?` : 'Delete room?'}
      onClose={() => !busy && onClose()}
    >
      <p>Anyone in its meeting is disconnected, and its link stops working. This cannot be undone.</p>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="btn btn-danger" onClick={confirm} disabled={busy}>
          {busy ? 'Deleting…' : 'Delete room'}
        </button>
        <button type="button" class="btn" onClick={onClose} disabled={busy} data-autofocus>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
