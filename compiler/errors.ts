/**
 * The compiler's user-error type: bad input the user can fix (a file, a dataset, an option, a
 * board budget). The CLI prints these as one line and exits 2; anything else is a bug and gets
 * "run with --verbose". Each layer subclasses it (CliError, WavError, ImageError, ...), so no
 * lower layer needs the CLI's class. The runtime keeps its own ModelError/InputError (it runs on
 * the device without the compiler); the CLI counts those as user errors too.
 */
export class UserError extends Error {
  override name = 'UserError';
}
