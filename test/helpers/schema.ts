/**
 * Validates every leakwatch.json the e2e suite produces against the JSON Schema that
 * ships in @leakwatch/core. Validation is skipped only while the schema file does not
 * exist yet; once it exists, every report must conform.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import Ajv2019 from 'ajv/dist/2019';
import type {ValidateFunction} from 'ajv';
import {REPO_ROOT} from './workspace';

export const SCHEMA_FILE = path.join(REPO_ROOT, 'packages/core/schema/run-report.schema.json');

let cached: ValidateFunction | undefined;

function compile(): ValidateFunction | undefined {
  if (cached) return cached;
  if (!fs.existsSync(SCHEMA_FILE)) return undefined;
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as {$schema?: string};
  const dialect = schema.$schema ?? '';
  const options = {allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false};
  const ajv = dialect.includes('2020-12') ? new Ajv2020(options) : dialect.includes('2019-09') ? new Ajv2019(options) : new Ajv(options);
  cached = ajv.compile(schema);
  return cached;
}

export function schemaExists(): boolean {
  return fs.existsSync(SCHEMA_FILE);
}

/** Throws with every schema violation when `report` does not conform. */
export function validateReport(report: unknown, where: string): void {
  const validate = compile();
  if (!validate) return;
  if (!validate(report)) {
    const errors = (validate.errors ?? []).map(e => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    throw new Error(`${where} does not conform to ${path.relative(REPO_ROOT, SCHEMA_FILE)}:\n${errors.join('\n')}`);
  }
}
