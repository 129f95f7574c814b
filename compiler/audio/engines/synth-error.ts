/** A bad generator option or a missing speech engine: a user error (one line, exit 2). */
import { UserError } from '../../errors.ts';

export class SynthError extends UserError {
  override name = 'SynthError';
}
