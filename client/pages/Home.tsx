import { useEffect, useState } from 'preact/hooks';
import { navigate } from '../router.ts';
import { Link } from '../ui/Link.tsx';

export function Home() {
  const [name, setName] = useState('');
  useEffect(() => {
    document.title = 'Meeting rooms';
  }, []);
  return (
    <>
      <h1 tabIndex={-1}>Meeting rooms</h1>
      <form
        class="card join-form"
        onSubmit={(event) => {
          event.preventDefault();
          const room = name.trim().toLowerCase();
          if (room) navigate(`/${encodeURIComponent(room)}`);
        }}
      >
        <h2>Join a room</h2>
        <div class="field">
          <label for="join-room">Room name</label>
          <div class="inline">
            <input
              id="join-room"
              name="room"
              value={name}
              onInput={(event) => setName(event.currentTarget.value)}
              required
              autocomplete="off"
              autocapitalize="none"
              spellcheck={false}
              placeholder="team-standup"
            />
            <button type="submit" class="btn btn-primary">
              Join
            </button>
          </div>
        </div>
      </form>
      <div class="cards">
        <Link href="/rooms" class="card card-link">
          <strong>Your rooms</strong>
          <span>Create rooms, change their settings, copy their links.</span>
        </Link>
        <Link href="/admin" class="card card-link">
          <strong>Rollout</strong>
          <span>For administrators: move rooms to Daily, or roll back.</span>
        </Link>
      </div>
    </>
  );
}
