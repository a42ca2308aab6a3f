/** A Content-Security-Policy header as its directives: name → sources (an absent header: none). */
export const cspDirectives = (policy: string | null | undefined) =>
  new Map(
    (policy ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name, values]),
  );
