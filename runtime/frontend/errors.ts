/** Error thrown for an unusable front-end blob; `name` is 'ModelError' like every model-file error. */
export class FrontendError extends Error {
  code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ModelError';
    this.code = code;
  }
}
