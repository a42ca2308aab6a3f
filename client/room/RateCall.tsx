import { useEffect, useState } from 'preact/hooks';
import { api, type RatingInput, toApiError } from '../api.ts';
import { browserConsentStore } from './consent-store.ts';
import { browserRatingStore, type RatingStore } from './rating-store.ts';

// "How was the call?" on the "you left" page (SPEC §13): 1 to 5 and an optional comment, sent
// once per meeting per browser under the browser's key (the consent answers' own), skippable. A
// chunk of its own, downloaded once someone has left: the join page does not carry it.

const WORDS = ['very poor', 'poor', 'fair', 'good', 'excellent'] as const;
const MAX_COMMENT = 1000;

interface RateCallProps {
  meetingId: string;
  /** Injected by tests; the API, this browser's key and its storage otherwise. */
  send?: (meetingId: string, rating: RatingInput) => Promise<unknown>;
  store?: RatingStore;
  browserKey?: () => string;
}

type Step = 'asking' | 'sending' | 'sent' | 'skipped';

export function RateCall({
  meetingId,
  send = api.rate,
  store = browserRatingStore,
  browserKey = browserConsentStore.key,
}: RateCallProps) {
  // Decided once, when the page shows: asked before (here or in another visit) means not again.
  const [askedBefore] = useState(() => store.asked(meetingId));
  const [step, setStep] = useState<Step>('asking');
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!askedBefore) store.remember(meetingId);
  }, [askedBefore, meetingId, store]);

  if (askedBefore || step === 'skipped') return null;
  if (step === 'sent')
    return (
      <p class="notice" role="status">
        Thank you: your rating was sent.
      </p>
    );

  async function submit(event: Event) {
    event.preventDefault();
    if (rating === null) return;
    setStep('sending');
    setError(null);
    try {
      await send(meetingId, { rating, comment: comment.trim() || undefined, rating_key: browserKey() });
      setStep('sent');
    } catch (caught) {
      setError(toApiError(caught, 'Your rating could not be sent; try again.').detail);
      setStep('asking');
    }
  }

  return (
    <form class="card rate-call" onSubmit={submit} aria-busy={step === 'sending'}>
      <fieldset class="field">
        <legend>How was the call?</legend>
        <div class="choices">
          {WORDS.map((word, index) => (
            <label class="choice" key={word}>
              <input
                type="radio"
                name="rating"
                value={index + 1}
                checked={rating === index + 1}
                onChange={() => setRating(index + 1)}
                aria-label={`${index + 1}, ${word}`}
              />
              {index + 1} <span class="hint">{word}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div class="field">
        <label for="rate-comment">Anything to add? (optional)</label>
        <textarea
          id="rate-comment"
          rows={3}
          maxLength={MAX_COMMENT}
          value={comment}
          onInput={(event) => setComment(event.currentTarget.value)}
          aria-describedby="rate-comment-count"
        />
        <p class="hint" id="rate-comment-count">
          {comment.length} of {MAX_COMMENT} characters
        </p>
      </div>
      <p class="form-error" role="alert">
        {error}
      </p>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={rating === null || step === 'sending'}>
          {step === 'sending' ? 'Sending…' : error ? 'Try again' : 'Send'}
        </button>
        <button type="button" class="btn" onClick={() => setStep('skipped')}>
          Skip
        </button>
      </div>
    </form>
  );
}
