// A form drawn from a JSON schema (the policy's, as /api/v1/policies serves it): enums as selects, numbers
// as number inputs (empty = null where null is allowed), strings as text, objects as fieldsets, maps
// (additionalProperties) as key/value rows, arrays of objects as JSON. Every input has a label.
import { useState } from 'preact/hooks';

export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  minimum?: number;
  maximum?: number;
}

type Value = unknown;
type Change = (value: Value) => void;

const types = (s: Schema) => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);
const idOf = (path: string[]) => `field-${path.join('-').replace(/[^A-Za-z0-9_-]/g, '_')}`;

function JsonField(props: { value: Value; onChange: Change; path: string[]; label: string }) {
  const [text, setText] = useState(JSON.stringify(props.value ?? [], null, 2));
  const [problem, setProblem] = useState<string | null>(null);
  const id = idOf(props.path);
  return (
    <div class="field">
      <label for={id}>{props.label} (JSON)</label>
      <textarea
        id={id}
        rows={4}
        value={text}
        aria-invalid={problem !== null}
        onInput={(e) => {
          const next = (e.target as HTMLTextAreaElement).value;
          setText(next);
          try {
            props.onChange(JSON.parse(next));
            setProblem(null);
          } catch (error) {
            setProblem((error as Error).message);
          }
        }}
      />
      {problem ? <span class="error">{problem}</span> : null}
    </div>
  );
}

function MapField(props: { schema: Schema; value: Record<string, Value>; onChange: Change; path: string[]; label: string }) {
  const entries = Object.entries(props.value ?? {});
  const [key, setKey] = useState('');
  const itemSchema = typeof props.schema.additionalProperties === 'object' ? props.schema.additionalProperties : {};
  return (
    <fieldset>
      <legend>{props.label}</legend>
      {entries.length === 0 ? <p class="muted">none</p> : null}
      {entries.map(([k, v]) => (
        <div class="row" key={k}>
          <Field schema={itemSchema} value={v} path={[...props.path, k]} label={k} onChange={(next) => props.onChange({ ...props.value, [k]: next })} />
          <button type="button" aria-label={`Remove ${k}`} onClick={() => {
            const { [k]: _removed, ...rest } = props.value;
            props.onChange(rest);
          }}>Remove</button>
        </div>
      ))}
      <div class="row">
        <label>New key <input value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} /></label>
        <button type="button" disabled={!key || key in (props.value ?? {})} onClick={() => {
          props.onChange({ ...props.value, [key]: types(itemSchema).includes('number') ? 1 : '' });
          setKey('');
        }}>Add</button>
      </div>
    </fieldset>
  );
}

// The text typed is the input's own (state here): a half-typed "0." must not be rewritten to "0" under the
// cursor; the number it reads as goes up, and only a value changed from elsewhere replaces the text.
function NumberField(props: { schema: Schema; value: Value; onChange: Change; id: string; label: string; readOnly?: boolean }) {
  const t = types(props.schema);
  const nullable = t.includes('null');
  const shown = props.value === null || props.value === undefined ? '' : String(props.value);
  const [text, setText] = useState(shown);
  const parsed = text === '' ? (nullable ? null : 0) : Number(text);
  const current = text !== '' && Number.isNaN(parsed) ? text : parsed === props.value || (text === '' && shown === '') ? text : shown;
  return (
    <div class="field">
      <label for={props.id}>{props.label}{nullable ? ' (empty: none)' : ''}</label>
      <input
        id={props.id}
        type="number"
        step={t.includes('integer') ? 1 : 'any'}
        min={props.schema.minimum}
        max={props.schema.maximum}
        readOnly={props.readOnly}
        value={current}
        onInput={(e) => {
          const next = (e.target as HTMLInputElement).value;
          setText(next);
          if (next === '') props.onChange(nullable ? null : 0);
          else if (!Number.isNaN(Number(next))) props.onChange(Number(next));
        }}
      />
    </div>
  );
}

export function Field(props: { schema: Schema; value: Value; onChange: Change; path: string[]; label: string; readOnly?: boolean }) {
  const { schema, value, onChange, path, label } = props;
  const id = idOf(path);
  if (schema.enum) {
    return (
      <div class="field">
        <label for={id}>{label}</label>
        <select id={id} value={String(value)} disabled={props.readOnly} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          {schema.enum.map((option) => <option key={String(option)} value={String(option)}>{String(option)}</option>)}
        </select>
      </div>
    );
  }
  const t = types(schema);
  if (t.includes('object') && schema.properties) {
    const object = (value ?? {}) as Record<string, Value>;
    return (
      <fieldset>
        <legend>{label}</legend>
        {Object.entries(schema.properties).map(([key, child]) => (
          <Field key={key} schema={child} value={object[key]} path={[...path, key]} label={key} onChange={(next) => onChange({ ...object, [key]: next })} />
        ))}
      </fieldset>
    );
  }
  if (t.includes('object')) return <MapField schema={schema} value={(value ?? {}) as Record<string, Value>} onChange={onChange} path={path} label={label} />;
  if (t.includes('array')) return <JsonField value={value} onChange={onChange} path={path} label={label} />;
  if (t.includes('number') || t.includes('integer')) return <NumberField schema={schema} value={value} onChange={onChange} id={id} label={label} readOnly={props.readOnly} />;
  if (t.includes('boolean')) {
    return (
      <div class="field">
        <label><input id={id} type="checkbox" checked={Boolean(value)} disabled={props.readOnly} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} /> {label}</label>
      </div>
    );
  }
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {label === 'reasoning' ? (
        <textarea id={id} rows={3} value={String(value ?? '')} readOnly={props.readOnly} onInput={(e) => onChange((e.target as HTMLTextAreaElement).value)} />
      ) : (
        <input id={id} value={String(value ?? '')} readOnly={props.readOnly} onInput={(e) => onChange((e.target as HTMLInputElement).value)} />
      )}
    </div>
  );
}

export function SchemaForm(props: { schema: Schema; value: Record<string, Value>; onChange: (value: Record<string, Value>) => void; readOnlyKeys: string[] }) {
  return (
    <div class="schema-form">
      {Object.entries(props.schema.properties ?? {}).map(([key, child]) => (
        <Field key={key} schema={child} value={props.value[key]} path={[key]} label={key} readOnly={props.readOnlyKeys.includes(key)} onChange={(next) => props.onChange({ ...props.value, [key]: next })} />
      ))}
    </div>
  );
}
