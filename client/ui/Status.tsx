import type { ComponentChildren } from 'preact';

/** A wait the user can see and a screen reader hears. */
export function Loading({ children }: { children: ComponentChildren }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{children}</span>
    </div>
  );
}

/** Something went wrong: what, why, and what the user can do (the actions). */
export function Problem({
  title,
  children,
  actions,
  headingLevel = 2,
}: {
  title: string;
  children?: ComponentChildren;
  actions?: ComponentChildren;
  headingLevel?: 1 | 2;
}) {
  const Heading = headingLevel === 1 ? 'h1' : 'h2';
  return (
    <div class="problem" role="alert">
      <Heading class="problem-title" tabIndex={-1}>
        {title}
      </Heading>
      {children}
      {actions && <div class="actions">{actions}</div>}
    </div>
  );
}
