import { useEffect, useRef, useState } from 'preact/hooks';
import { api, toApiError } from '../api.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { browserConsentStore, type ConsentAnswer, type ConsentStore } from './consent-store.ts';

interface RecordingConsentProps {
  meetingId: string;
  /** Injected by tests; the API and this browser's storage otherwise. */
  send?: (meetingId: string, consentGiven: boolean, consentKey: string) => Promise<unknown>;
  store?: ConsentStore;
}

/**
 * The recording-consent question of a cloud-recorded meeting. It never blocks the call: a
 * visible control opens the question, the answer goes to the consent endpoint once, and from
 * then on (in this browser) only the recording indicator shows.
 */
export function RecordingConsent({
  meetingId,
  send = api.consent,
  store = browserConsentStore,
}: RecordingConsentProps) {
  const [answer, setAnswer] = useState<ConsentAnswer | null>(() => store.get(meetingId));
  const [open, setOpen] = useState(false);
  const [sending, setSending] = useState<ConsentAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const indicator = useRef<HTMLParagraphElement>(null);
  const answeredHere = useRef(false);

  useEffect(() => {
    // Focus goes from the dialog to the indicator that replaced its trigger.
    if (answer && answeredHere.current) indicator.current?.focus();
  }, [answer]);

  async function choose(given: boolean) {
    const choice: ConsentAnswer = given ? 'yes' : 'no';
    setSending(choice);
    setError(null);
    try {
      await send(meetingId, given, store.key());
      store.set(meetingId, choice);
      answeredHere.current = true;
      setAnswer(choice);
    } catch (caught) {
      setError(toApiError(caught, 'Your answer could not be sent; try again.').detail);
    } finally {
      setSending(null);
    }
  }

  if (answer) {
    return (
      <p class="recording-indicator" role="status" tabIndex={-1} ref={indicator}>
        <span class="rec-dot" aria-hidden="true" />
        <span>
          Recording
          <span class="wide-only">
            {' '}
            · {answer === 'yes' ? 'your audio may be stored' : 'audio deleted after transcription'}
          </span>
        </span>
      </p>
    );
  }

  return (
    <>
      <button
        type="button"
        class="recording-ask"
        aria-haspopup="dialog"
        aria-label="This meeting is recorded"
        onClick={() => setOpen(true)}
      >
        <span class="rec-dot" aria-hidden="true" />
        <span class="wide-only">This meeting is recorded</span>
        <span class="narrow-only">Recorded</span>
      </button>
      <Dialog
        open={open}
        title="May we store this meeting's audio recording?"
        onClose={() => sending === null && setOpen(false)}
      >
        <p>
          This meeting is recorded and transcribed. If you say no, the transcript is kept and the audio is deleted once
          it has been transcribed.
        </p>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="actions stacked">
          <button type="button" class="btn btn-choice" disabled={sending !== null} onClick={() => choose(true)}>
            {sending === 'yes' ? 'Sending…' : 'Yes, store the audio'}
          </button>
          <button type="button" class="btn btn-choice" disabled={sending !== null} onClick={() => choose(false)}>
            {sending === 'no' ? 'Sending…' : 'No, delete it after transcription'}
          </button>
          <button type="button" class="btn btn-quiet" disabled={sending !== null} onClick={() => setOpen(false)}>
            Decide later
          </button>
        </div>
      </Dialog>
    </>
  );
}
