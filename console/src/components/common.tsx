import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiError } from '../api';
import { toneOf } from '../format';

/** A state or status as text in a coloured pill; the colour only repeats what the text says. */
export function Badge({ status, label }: { status: string | undefined; label?: string }) {
  if (!status) return <span class="muted">—</span>;
  return <span class={`badge tone-${toneOf(status)}`}>{label ?? status.replace(/_/g, ' ')}</span>;
}

/** An API error in words, with the fields it names. */
export function ProblemAlert({ error, context }: { error: ApiError | undefined; context?: string }) {
  if (!error) return null;
  const { title, detail, errors } = error.problem;
  return (
    <div class="alert" role="alert">
      <p>
        <strong>{context ? `${context}: ${title}` : title}</strong>
        {error.status ? ` (${error.status})` : ''}
        {detail && detail !== title ? ` — ${detail}` : ''}
      </p>
      {errors && errors.length > 1 && (
        <ul>
          {errors.map((e) => (
            <li key={e.path}>
              {e.path || 'body'}: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export type Notify = (message: string) => void;

/** Announces the outcome of an action in the page's status region (read out by screen readers). */
export const NotifyContext = createContext<Notify>(() => undefined);
export const useNotify = () => useContext(NotifyContext);

export function Loading({ what }: { what: string }) {
  return <p class="muted">Loading {what}…</p>;
}

/** A section with a heading that labels it (a landmark screen readers can jump to). */
export function Section({
  id,
  title,
  children,
  actions,
}: {
  id: string;
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section class="card" aria-labelledby={id}>
      <div class="section-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
