/** JSON-schema validation (ajv) shared by the device-profile loader, the project generator and the tests. */
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';

// ajv ships CommonJS; under ESM its class is the default export's `default`.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;

export type Validator = (value: unknown) => string[];

/** Compiles the schema at `schemaUrl`; the returned function lists the problems with a value (empty when valid). */
export function loadValidator(schemaUrl: URL): Validator {
  const schema = JSON.parse(readFileSync(schemaUrl, 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return [];
    // The profile schema picks a branch with if/then/else; the branch's own errors say what is wrong.
    return (validate.errors ?? [])
      .filter((e) => e.keyword !== 'if')
      .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : ''}`);
  };
}

export const deviceSchemaUrl = new URL('../../devices/profile.schema.json', import.meta.url);
export const manifestSchemaUrl = new URL('../../manifests/manifest.schema.json', import.meta.url);
