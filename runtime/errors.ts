/**
 * Typed errors. `code` names the problem so callers (and tests) can tell a corrupt model from a
 * bad input without parsing messages. Plain classes: safe to preload and freeze on a device.
 */
export type ModelErrorCode =
  | 'bad-magic'
  | 'unsupported-version'
  | 'crc-mismatch'
  | 'truncated'
  | 'bad-section'
  | 'misaligned'
  | 'missing-section'
  | 'dimension-out-of-range'
  | 'value-out-of-range'
  | 'bad-frontend'
  | 'over-budget'
  | 'unsupported-host';

export class ModelError extends Error {
  readonly code: ModelErrorCode;
  constructor(code: ModelErrorCode, message: string) {
    super(message);
    this.name = 'ModelError';
    this.code = code;
  }
}

export type InputErrorCode = 'wrong-length' | 'wrong-type' | 'out-of-range';

export class InputError extends Error {
  readonly code: InputErrorCode;
  constructor(code: InputErrorCode, message: string) {
    super(message);
    this.name = 'InputError';
    this.code = code;
  }
}
