import type { ComponentChildren } from 'preact';

export interface FieldProps {
  name: string;
  label: string;
  hint?: string;
  errors?: string[];
  children: (described: {
    id: string;
    'aria-invalid'?: 'true';
    'aria-describedby'?: string;
  }) => ComponentChildren;
}

export const fieldId = (name: string) => `f-${name}`;

/**
 * A labelled control with its hint and its errors beside it: the control points at both with
 * aria-describedby and says aria-invalid, so a screen reader reads the error with the field.
 */
export function Field({ name, label, hint, errors = [], children }: FieldProps) {
  const id = fieldId(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors.length > 0 ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${errors.length > 0 ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children({
        id,
        'aria-invalid': errors.length > 0 ? 'true' : undefined,
        'aria-describedby': describedBy,
      })}
      {hint && (
        <p id={hintId} class="hint">
          {hint}
        </p>
      )}
      {errorId && (
        <p id={errorId} class="field-error">
          {errors.join('; ')}
        </p>
      )}
    </div>
  );
}
