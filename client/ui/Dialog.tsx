import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef } from 'preact/hooks';

interface DialogProps {
  open: boolean;
  title: string;
  /** Escape, the backdrop, or a cancel button: the owner decides what closing means. */
  onClose(): void;
  children: ComponentChildren;
  class?: string;
}

/**
 * A modal <dialog>: the page behind is inert while it is open. Focus moves to the element marked
 * `data-autofocus`, else to the heading (so no answer is chosen for the user), and goes back to
 * whatever had it when the dialog closes, also when the dialog goes away while open.
 */
export function Dialog({ open, title, onClose, children, class: className }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();

  useLayoutEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      element.showModal();
      const first = element.querySelector<HTMLElement>('[data-autofocus]') ?? heading.current;
      first?.focus();
    } else if (!open && element.open) {
      element.close();
      restoreFocus();
    }
  }, [open]);

  // Gone while open (e.g. the page moved on after an answer): give focus back all the same.
  useEffect(() => () => restoreFocus(), []);

  function restoreFocus() {
    const target = opener.current;
    opener.current = null;
    if (target?.isConnected) target.focus();
    // The opener went away with what the dialog did (a deleted room): the page's heading then.
    else if (target) document.querySelector<HTMLElement>('main h1')?.focus();
  }

  return (
    <dialog
      ref={dialog}
      class={`dialog ${className ?? ''}`}
      aria-labelledby={titleId}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        onClose();
      }}
      onCancel={(event) => {
        // The browser's own close request (Escape): keep the open state in the owner's hands.
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === dialog.current) onClose();
      }}
    >
      <div class="dialog-body">
        <h2 id={titleId} ref={heading} tabIndex={-1}>
          {title}
        </h2>
        {children}
      </div>
    </dialog>
  );
}
